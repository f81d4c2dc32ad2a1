//! Files people send (claim documents, a case's attachments) on their way into the file
//! store: written before the database transaction that names them, and removed again if
//! that transaction fails, so the store keeps no file nobody can reach.

use crate::backend::domain::uploads::FileKind;
use crate::backend::AppState;

/// A file that passed `domain::uploads::accept`, with the name the phone gave it.
pub struct Upload {
    pub name: String,
    pub kind: FileKind,
    pub bytes: Vec<u8>,
}

/// A file written to the store, not yet named in the database.
pub struct Stored {
    pub id: String,
    pub key: String,
    pub name: String,
    pub kind: FileKind,
    pub size: i64,
}

/// Puts the files in the store under `folder` (`claims/{id}`, `cases/{id}`); on any
/// failure removes those already written.
pub async fn store_files(
    state: &AppState,
    folder: &str,
    files: Vec<Upload>,
) -> anyhow::Result<Vec<Stored>> {
    let mut written: Vec<Stored> = Vec::new();
    for f in files {
        let id = crate::backend::ids::new_id();
        let key = format!("{folder}/{id}.{}", f.kind.extension());
        let size = f.bytes.len() as i64;
        if let Err(e) = state.files.put(&key, f.bytes).await {
            remove_files(state, &written).await;
            return Err(e);
        }
        written.push(Stored {
            id,
            key,
            name: clean_name(&f.name),
            kind: f.kind,
            size,
        });
    }
    Ok(written)
}

pub async fn remove_files(state: &AppState, written: &[Stored]) {
    for f in written {
        if let Err(e) = state.files.delete(&f.key).await {
            tracing::warn!(error = %e, "could not remove an orphaned upload");
        }
    }
}

/// A stored file's bytes and kind (`kind` as the database keeps it), if it is still there.
pub async fn read(
    state: &AppState,
    kind: &str,
    storage_key: &str,
) -> anyhow::Result<Option<(FileKind, Vec<u8>)>> {
    let Some(kind) = FileKind::parse(kind) else {
        return Ok(None);
    };
    Ok(state.files.get(storage_key).await?.map(|b| (kind, b)))
}

/// What we keep of a file's name: printable, at most 80 characters, no path.
fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    base.chars()
        .filter(|c| !c.is_control())
        .take(80)
        .collect::<String>()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_their_path_and_control_characters() {
        assert_eq!(clean_name("C:\\Users\\x\\IMG_0001.JPG"), "IMG_0001.JPG");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("a\u{0}b\nc.pdf"), "abc.pdf");
        assert_eq!(clean_name(&"x".repeat(200)).len(), 80);
    }
}
