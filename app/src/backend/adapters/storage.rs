//! Where files (claim documents, case attachments) live: a folder under `data/` by
//! default, an S3-compatible bucket by configuration, so that several instances share
//! them (DESIGN.md). The database holds only their metadata and owner.
//!
//! Keys are ids we make ourselves, never a name a user typed.

use crate::backend::config::{FilesLocation, S3Settings};
use anyhow::Context;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use secrecy::ExposeSecret;
use std::sync::Arc;

/// The files of every instance. Cheap to clone.
#[derive(Clone, Debug)]
pub struct FileStore {
    inner: Arc<dyn ObjectStore>,
}

impl FileStore {
    pub fn new(location: &FilesLocation) -> anyhow::Result<Self> {
        match location {
            FilesLocation::Local(dir) => Self::local(dir),
            FilesLocation::S3(s3) => Self::s3(s3),
        }
    }

    /// Files in `dir`, created if missing.
    pub fn local(dir: &std::path::Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the files folder {}", dir.display()))?;
        let store = LocalFileSystem::new_with_prefix(dir)
            .with_context(|| format!("opening the files folder {}", dir.display()))?
            // deleting a file also removes the folders it leaves empty
            .with_automatic_cleanup(true);
        Ok(Self {
            inner: Arc::new(store),
        })
    }

    /// Files in a bucket; the bucket must exist (we never create one).
    pub fn s3(s3: &S3Settings) -> anyhow::Result<Self> {
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&s3.bucket)
            .with_region(&s3.region);
        if let Some(endpoint) = &s3.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(crate::backend::config::is_local_http(endpoint));
        }
        if let (Some(id), Some(secret)) = (&s3.access_key_id, &s3.secret_access_key) {
            builder = builder
                .with_access_key_id(id.expose_secret())
                .with_secret_access_key(secret.expose_secret());
        }
        let store = builder.build().context("configuring S3 storage")?;
        let inner: Arc<dyn ObjectStore> = match &s3.prefix {
            Some(prefix) => Arc::new(PrefixStore::new(store, prefix.as_str())),
            None => Arc::new(store),
        };
        Ok(Self { inner })
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> anyhow::Result<()> {
        let path = key_path(key)?;
        self.inner
            .put(&path, PutPayload::from(bytes))
            .await
            .with_context(|| format!("storing file {key}"))?;
        Ok(())
    }

    /// The file's bytes, or `None` when there is no such file.
    pub async fn get(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>> {
        let path = key_path(key)?;
        let result = match self.inner.get(&path).await {
            Ok(result) => result,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("reading file {key}")),
        };
        let bytes = result
            .bytes()
            .await
            .with_context(|| format!("reading file {key}"))?;
        Ok(Some(bytes.to_vec()))
    }

    /// Removes the file; removing one that is not there is not an error.
    pub async fn delete(&self, key: &str) -> anyhow::Result<()> {
        let path = key_path(key)?;
        match self.inner.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e).with_context(|| format!("deleting file {key}")),
        }
    }
}

/// The longest key we make (a few ids joined by `/`).
const MAX_KEY_LEN: usize = 256;

/// Whether `key` can name a file: `[A-Za-z0-9._-]` segments joined by single `/`, none of
/// them `.` or `..`, so that no key reaches outside the store.
pub fn is_valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= MAX_KEY_LEN
        && key.split('/').all(|segment| {
            !segment.is_empty()
                && segment != "."
                && !segment.contains("..")
                && segment
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))
        })
}

fn key_path(key: &str) -> anyhow::Result<Path> {
    anyhow::ensure!(is_valid_key(key), "not a file key: {key:?}");
    Path::parse(key).with_context(|| format!("not a file key: {key:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_our_own_ids_only() {
        for good in ["a", "claims/CL2026000123/0f3c-9a_b.jpg", "x.y"] {
            assert!(is_valid_key(good), "{good}");
        }
        let long = "a".repeat(MAX_KEY_LEN + 1);
        for bad in [
            "", "/a", "a/", "a//b", "../a", "a/../b", "a/..", ".", "a/./b", "a..b", "a b", "a\\b",
            "ä", "a?b", "%2e%2e", &long,
        ] {
            assert!(!is_valid_key(bad), "{bad}");
        }
    }

    #[tokio::test]
    async fn a_bad_key_is_refused_before_any_storage_is_touched() {
        let dir = std::env::temp_dir().join(format!(
            "anxin-storage-unit-{}",
            crate::backend::ids::short_code(8)
        ));
        let store = FileStore::local(&dir).unwrap();
        assert!(store.put("../escape", b"x".to_vec()).await.is_err());
        assert!(store.get("a/../../etc/passwd").await.is_err());
        assert!(store.delete("..").await.is_err());
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
