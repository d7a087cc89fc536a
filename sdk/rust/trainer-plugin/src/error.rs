use std::fmt::Display;

/// Why a hook or `create` failed: a message the host prints, naming the plugin and the hook.
/// Anything that displays converts with `?` or `.into()` ("bad threshold".into(),
/// an `std::io::Error`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    message: String,
}

impl Error {
    pub fn new(message: impl Into<String>) -> Self {
        Error { message: message.into() }
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

impl<E: Display> From<E> for Error {
    fn from(error: E) -> Self {
        Error { message: error.to_string() }
    }
}
