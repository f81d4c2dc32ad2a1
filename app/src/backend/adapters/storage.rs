//! Where claim files live: a local folder beside the database. (The uploads branch puts
//! this behind `object_store`, with S3-compatible storage by configuration.)

use std::path::PathBuf;

#[derive(Clone, Debug)]
pub struct FileStore {
    root: PathBuf,
}

fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && !key.contains("..")
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '.'))
}

impl FileStore {
    /// `files/` beside the SQLite file, or `data/files`.
    pub fn for_database(url: &str) -> Self {
        let path = url
            .trim_start_matches("sqlite://")
            .trim_start_matches("sqlite:");
        let root = if url.starts_with("sqlite:") && !path.starts_with(":memory:") {
            let path = path.split('?').next().unwrap_or(path);
            std::path::Path::new(path)
                .parent()
                .map(|p| p.join("files"))
                .unwrap_or_else(|| "data/files".into())
        } else {
            "data/files".into()
        };
        Self { root }
    }

    fn path(&self, key: &str) -> anyhow::Result<PathBuf> {
        anyhow::ensure!(valid_key(key), "bad storage key");
        Ok(self.root.join(key))
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> anyhow::Result<()> {
        let path = self.path(key)?;
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        tokio::fs::write(path, bytes).await?;
        Ok(())
    }

    pub async fn get(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>> {
        match tokio::fs::read(self.path(key)?).await {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn delete(&self, key: &str) -> anyhow::Result<()> {
        match tokio::fs::remove_file(self.path(key)?).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }
}
