//! What an uploaded file is, decided by its content. (The uploads branch adds metadata
//! stripping and deeper structure checks.)

pub const MAX_BYTES: usize = 10 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Jpeg,
    Png,
    Pdf,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Jpeg => "jpeg",
            Self::Png => "png",
            Self::Pdf => "pdf",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Jpeg, Self::Png, Self::Pdf]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Pdf => "application/pdf",
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Pdf => "pdf",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    #[error("empty")]
    Empty,
    #[error("too large")]
    TooLarge,
    #[error("heic")]
    Heic,
    #[error("not allowed")]
    NotAllowed,
    #[error("damaged")]
    Damaged,
}

pub fn accept(bytes: Vec<u8>) -> Result<(FileKind, Vec<u8>), UploadError> {
    if bytes.is_empty() {
        return Err(UploadError::Empty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(UploadError::TooLarge);
    }
    let kind = if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        FileKind::Jpeg
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        FileKind::Png
    } else if bytes.starts_with(b"%PDF-") {
        FileKind::Pdf
    } else if bytes.len() > 12 && &bytes[4..8] == b"ftyp" {
        return Err(UploadError::Heic);
    } else {
        return Err(UploadError::NotAllowed);
    };
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    let whole = match kind {
        FileKind::Jpeg => bytes.ends_with(&[0xFF, 0xD9]),
        FileKind::Png => tail.windows(4).any(|w| w == b"IEND"),
        FileKind::Pdf => tail.windows(5).any(|w| w == b"%%EOF"),
    };
    if !whole {
        return Err(UploadError::Damaged);
    }
    Ok((kind, bytes))
}
