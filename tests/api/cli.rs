//! The shipped binary end to end: keys made and revoked with the CLI, the server started as an
//! operator would (debug logging on), stopped with SIGTERM; then its logs and database file are
//! searched for secrets, tokens and patient data, and the audit trail for every request.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::app::client_credentials_token;

fn clinic_fhir(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_clinic-fhir")).args(args).output().unwrap();
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

fn field<'o>(output: &'o str, label: &str) -> &'o str {
    output
        .lines()
        .find_map(|line| line.strip_prefix(label))
        .unwrap_or_else(|| panic!("no {label} in {output}"))
        .trim()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_keys_and_a_served_run_leave_no_secret_or_patient_data_behind() {
    let dir = std::env::temp_dir().join(format!("clinic_fhir_cli_{:016x}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    let database = dir.join("clinic.sqlite");
    let db = database.to_str().unwrap();
    clinic_fhir(&["seed", "--database-url", db, "--patients", "5"]);
    let created = clinic_fhir(&[
        "keys",
        "create",
        "--database-url",
        db,
        "--name",
        "lab",
        "--allow",
        "Patient=retrieve",
        "--allow",
        "Observation=retrieve,create",
        "--rate",
        "basic",
    ]);
    let (client_id, secret) = (field(&created, "client id:"), field(&created, "client secret:"));
    assert_eq!(field(&created, "scopes:"), "system/Observation.crs system/Patient.rs");
    assert_eq!(field(&created, "rate:"), "60 requests/minute");
    let listed = clinic_fhir(&["keys", "list", "--database-url", db]);
    assert!(listed.contains(client_id) && !listed.contains(secret), "{listed}");
    let bad = Command::new(env!("CARGO_BIN_EXE_clinic-fhir"))
        .args(["keys", "create", "--database-url", db, "--name", "x", "--allow", "Spaceship=retrieve"])
        .output()
        .unwrap();
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("Spaceship"));

    let log_path = dir.join("server.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut server = Command::new(env!("CARGO_BIN_EXE_clinic-fhir"))
        .args(["serve", "--database-url", db, "--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "debug")
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let mut address = None;
    for _ in 0..100 {
        let mut text = String::new();
        std::fs::File::open(&log_path).unwrap().read_to_string(&mut text).unwrap();
        address = text
            .lines()
            .find_map(|l| l.split("address=").nth(1))
            .map(|a| a.split_whitespace().next().unwrap().to_owned());
        if address.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let root = format!("http://{}", address.expect("the server logs its address"));
    let base = format!("{root}/fhir/r4");

    let token = client_credentials_token(&root, client_id, secret, None).await.unwrap();
    let client = reqwest::Client::new();
    let patient: serde_json::Value = serde_json::from_slice(
        &client
            .get(format!("{base}/Patient/1"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap(),
    )
    .unwrap();
    let family = patient["name"][0]["family"].as_str().unwrap().to_owned();
    let citizen_id = patient["identifier"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["system"].as_str().unwrap().contains("th-cid"))
        .map(|i| i["value"].as_str().unwrap().to_owned())
        .unwrap();
    let statuses = [
        client
            .get(format!("{base}/Patient?family={family}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        client
            .get(format!("{base}/Patient?identifier={citizen_id}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        client.get(format!("{base}/Encounter")).bearer_auth(&token).send().await.unwrap().status(),
        client.get(format!("{base}/Patient")).send().await.unwrap().status(),
    ];
    assert_eq!(statuses.map(|s| s.as_u16()), [200, 200, 403, 401]);

    // Revoked from the CLI while the server runs: refused on the next request.
    clinic_fhir(&["keys", "revoke", "--database-url", db, client_id]);
    let after = client.get(format!("{base}/Patient/1")).bearer_auth(&token).send().await.unwrap().status();
    assert_eq!(after, 401);

    // A graceful stop writes every queued audit record before the process ends.
    assert!(Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap().success());
    let stopped = tokio::task::spawn_blocking(move || server.wait().unwrap()).await.unwrap();
    assert!(stopped.success(), "{stopped:?}");
    let requests = 1 + 1 + statuses.len() + 1;
    let database_handle = clinic_db::Database::connect(db, 1).unwrap();
    let audited = database_handle
        .run(|conn| {
            use diesel::prelude::*;
            clinic_db::schema::fhir_audit_events::table
                .count()
                .get_result::<i64>(conn)
                .map_err(clinic_db::DbError::from)
        })
        .await
        .unwrap();
    assert_eq!(audited, requests as i64);
    // Closing the last connection folds the write-ahead log into the file read below.
    drop(database_handle);

    let mut logs = String::new();
    std::fs::File::open(&log_path).unwrap().read_to_string(&mut logs).unwrap();
    assert!(logs.contains("request"), "the server logged its requests");
    let mut stored = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.to_str().unwrap().contains("clinic.sqlite") {
            stored.extend(std::fs::read(path).unwrap());
        }
    }
    let stored = String::from_utf8_lossy(&stored);
    for (what, text) in [("the secret", secret), ("the token", token.as_str())] {
        assert!(!logs.contains(text), "the logs hold {what}");
        assert!(!stored.contains(text), "the database file holds {what}");
    }
    for (what, text) in [("a family name", family.as_str()), ("a citizen ID", citizen_id.as_str())] {
        assert!(!logs.contains(text), "the logs hold {what}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
