//! Drafts, reply and forward, MIME building, read receipts and the durable outbound queue.
