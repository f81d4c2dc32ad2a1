//! Where claim documents live: the same journey on the app's local folder and on a real
//! S3-compatible server (moto's server mode, started by the test and stopped with it).

use crate::helpers::*;
use app::backend::adapters::storage::FileStore;
use app::backend::config::{FilesLocation, S3Settings};
use secrecy::SecretString;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Put, read, replace, delete and miss a file, as claim uploads will.
async fn put_get_delete(files: &FileStore) {
    let key = format!(
        "claims/{}/{}.jpg",
        app::backend::ids::new_id(),
        app::backend::ids::new_id()
    );
    assert_eq!(files.get(&key).await.unwrap(), None);

    let photo: Vec<u8> = (0..3 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
    files.put(&key, photo.clone()).await.unwrap();
    assert_eq!(files.get(&key).await.unwrap(), Some(photo));

    files.put(&key, b"replaced".to_vec()).await.unwrap();
    assert_eq!(
        files.get(&key).await.unwrap().as_deref(),
        Some(&b"replaced"[..])
    );

    files.delete(&key).await.unwrap();
    assert_eq!(files.get(&key).await.unwrap(), None);
    // deleting again, or what never was, is not an error
    files.delete(&key).await.unwrap();
    files.delete("claims/never-was").await.unwrap();

    assert!(files.put("../outside", b"x".to_vec()).await.is_err());
    assert!(files.get("claims/../../etc/passwd").await.is_err());
}

#[tokio::test]
async fn files_round_trip_in_the_local_folder() {
    let app = spawn_app().await;
    put_get_delete(&app.state.files).await;

    // the file lands in this test's own folder, under its key
    let FilesLocation::Local(dir) = &app.state.config.files else {
        panic!("tests default to a local folder")
    };
    app.state
        .files
        .put("claims/c1/d1.pdf", b"%PDF-".to_vec())
        .await
        .unwrap();
    assert_eq!(
        std::fs::read(dir.join("claims/c1/d1.pdf")).unwrap(),
        b"%PDF-"
    );
}

#[tokio::test]
async fn each_test_app_has_files_of_its_own() {
    let (one, two) = (spawn_app().await, spawn_app().await);
    one.state
        .files
        .put("claims/x/only-here", b"1".to_vec())
        .await
        .unwrap();
    assert_eq!(
        two.state.files.get("claims/x/only-here").await.unwrap(),
        None
    );
}

/// moto's S3 server on a free port with one empty bucket; killed when dropped.
struct Moto {
    _child: tokio::process::Child,
    endpoint: String,
}

const BUCKET: &str = "anxin-test";

impl Moto {
    async fn start() -> Moto {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap()
            .to_path_buf();
        let bin = std::env::var_os("ANXIN_MOTO")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join(".tools/py/bin/moto_server"));
        assert!(
            bin.is_file(),
            "the S3 tests need moto's server at {}: run `make tools-s3` (or set ANXIN_MOTO)",
            bin.display()
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = tokio::process::Command::new(&bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", bin.display()));
        let endpoint = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                panic!("moto_server exited at start ({status}); is port {port} taken?");
            }
            if http.get(&endpoint).send().await.is_ok() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "moto_server did not answer in 30 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // object_store cannot make buckets; S3's CreateBucket is a plain PUT
        let created = http
            .put(format!("{endpoint}/{BUCKET}"))
            .send()
            .await
            .unwrap();
        assert!(created.status().is_success(), "{}", created.status());
        Moto {
            _child: child,
            endpoint,
        }
    }

    fn settings(&self, prefix: Option<&str>) -> S3Settings {
        S3Settings {
            bucket: BUCKET.into(),
            prefix: prefix.map(Into::into),
            endpoint: Some(self.endpoint.clone()),
            region: "us-east-1".into(),
            access_key_id: Some(SecretString::from("testing")),
            secret_access_key: Some(SecretString::from("testing")),
        }
    }
}

#[tokio::test]
async fn files_round_trip_in_an_s3_bucket() {
    let moto = Moto::start().await;
    let s3 = moto.settings(Some("instance-files"));
    let app = spawn_app_with(&fresh_database().await, |c| {
        c.files = FilesLocation::S3(s3.clone());
    })
    .await;
    put_get_delete(&app.state.files).await;

    // keys sit under the configured prefix, and a second instance sees the same files
    app.state
        .files
        .put("claims/c1/d1.png", b"png".to_vec())
        .await
        .unwrap();
    let other_instance = FileStore::s3(&s3).unwrap();
    assert_eq!(
        other_instance
            .get("claims/c1/d1.png")
            .await
            .unwrap()
            .as_deref(),
        Some(&b"png"[..])
    );
    let whole_bucket = FileStore::s3(&moto.settings(None)).unwrap();
    assert_eq!(whole_bucket.get("claims/c1/d1.png").await.unwrap(), None);
    assert_eq!(
        whole_bucket
            .get("instance-files/claims/c1/d1.png")
            .await
            .unwrap()
            .as_deref(),
        Some(&b"png"[..])
    );
}
