//! Server-side spell checking with Hunspell dictionaries.
