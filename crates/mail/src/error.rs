//! The one error type of the mail use cases.

/// What went wrong in a mail use case. The variants a user can act on carry
/// what they need to be told; [`Error::Store`] and [`Error::Directory`] are
/// failures of the machinery underneath, to be logged and reported as
/// internal.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The mail index is being rebuilt; try again shortly.
    #[error("the mail index is being rebuilt ({done} of {total} messages)")]
    Rebuilding {
        /// Messages indexed so far.
        done: u64,
        /// Messages to index (0 while still counting).
        total: u64,
    },
    /// The folder does not exist (any more).
    #[error("no such folder")]
    NoSuchFolder,
    /// The message does not exist (any more).
    #[error("no such message")]
    NoSuchMessage,
    /// The message has no attachment with that number.
    #[error("the message has no such attachment")]
    NoSuchAttachment,
    /// A folder with that name exists already.
    #[error("a folder with that name exists already")]
    FolderExists,
    /// The folder name cannot be used.
    #[error("the folder name cannot be used")]
    InvalidFolderName,
    /// Special folders cannot be renamed or deleted.
    #[error("special folders cannot be renamed or deleted")]
    SpecialFolder,
    /// An action on selected messages with none selected.
    #[error("no message is selected")]
    NothingSelected,
    /// A sender-list entry that is neither an address nor `@domain`.
    #[error("{0:?} is neither an address nor @domain")]
    InvalidSenderEntry(String),
    /// A request that cannot be carried out as asked; the text says why, in
    /// words for the user.
    #[error("{0}")]
    Invalid(String),
    /// No account has this address (a delivery agent answers EX_NOUSER).
    #[error("unknown user {0}")]
    NoSuchUser(String),
    /// A message to deliver was refused as it is (empty, too large, or a
    /// folder name that cannot be used): delivering it again will not help.
    #[error("{0}")]
    Refused(String),
    /// A compose form opened in another account (a tab left open when
    /// someone else signed in on this browser): nothing was written.
    #[error("this form belongs to another account")]
    OtherAccount,
    /// An address in To, Cc or Bcc cannot be used; the text says which and
    /// why.
    #[error("{0}")]
    BadAddress(String),
    /// A message with no recipient at all.
    #[error("the message has no recipient")]
    NoRecipients,
    /// The message with its attachments is over the size limit.
    #[error("the message is larger than {max_bytes} bytes")]
    MessageTooLarge {
        /// The limit, in bytes.
        max_bytes: u64,
    },
    /// This account may not send mail at the moment.
    #[error("sending is suspended for this account")]
    SendingSuspended,
    /// A message could not be built from what was given (our fault).
    #[error("building {0}")]
    Build(String),
    /// The outbound queue failed underneath.
    #[error("outbound queue: {0}")]
    Queue(String),
    /// The mail store failed underneath.
    #[error("mail store: {0}")]
    Store(mailstore::Error),
    /// The directory failed underneath.
    #[error("directory: {0}")]
    Directory(accounts::Error),
}

/// The result of a mail use case.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Whether trying again later may succeed (a delivery agent answers
    /// EX_TEMPFAIL, and the MTA keeps the message).
    pub fn is_temporary(&self) -> bool {
        match self {
            Error::Rebuilding { .. } => true,
            Error::Store(e) => e.is_temporary(),
            Error::Directory(_) | Error::Queue(_) => true,
            _ => false,
        }
    }
}

impl From<mailstore::Error> for Error {
    fn from(e: mailstore::Error) -> Self {
        use mailstore::Error as E;
        match e {
            E::Rebuilding(p) => Error::Rebuilding {
                done: p.done,
                total: p.total,
            },
            E::NoSuchFolder(_) => Error::NoSuchFolder,
            E::InvalidFolderName(_) => Error::InvalidFolderName,
            E::FolderExists(_) => Error::FolderExists,
            E::SpecialFolder(_) => Error::SpecialFolder,
            E::InvalidQuery(m) => {
                Error::Invalid(format!("The search could not be understood: {m}"))
            }
            E::InvalidFlag(m) => Error::Invalid(format!("Unknown flag {m}")),
            other => Error::Store(other),
        }
    }
}

impl From<accounts::Error> for Error {
    fn from(e: accounts::Error) -> Self {
        match e {
            accounts::Error::InvalidAddress { address, .. }
            | accounts::Error::UserData(userdata::Error::InvalidEntry { address, .. }) => {
                Error::InvalidSenderEntry(address)
            }
            other => Error::Directory(other),
        }
    }
}

impl From<userdata::Error> for Error {
    fn from(e: userdata::Error) -> Self {
        Error::from(accounts::Error::UserData(e))
    }
}
