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

/// The server process, killed if a failing test leaves it running.
struct Server(std::process::Child);

impl Server {
    /// Sends `signal` and waits for the process to end.
    async fn stop(&mut self, signal: &str) -> std::process::ExitStatus {
        assert!(Command::new("kill").args([signal, &self.0.id().to_string()]).status().unwrap().success());
        let pid = self.0.id();
        let mut exited = None;
        for _ in 0..300 {
            if let Some(status) = self.0.try_wait().unwrap() {
                exited = Some(status);
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        exited.unwrap_or_else(|| panic!("server {pid} did not stop"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `clinic-fhir serve` on a free port (with `options`) and debug logging into `log_path`; its
/// root URL.
async fn start_server(db: &str, log_path: &std::path::Path, options: &[&str]) -> (Server, String) {
    let log = std::fs::File::create(log_path).unwrap();
    let server = Command::new(env!("CARGO_BIN_EXE_clinic-fhir"))
        .args(["serve", "--database-url", db, "--listen", "127.0.0.1:0"])
        .args(options)
        .env("RUST_LOG", "debug")
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server(server);
    for _ in 0..100 {
        let mut text = String::new();
        std::fs::File::open(log_path).unwrap().read_to_string(&mut text).unwrap();
        let address = text.lines().find_map(|l| l.split("address=").nth(1));
        if let Some(address) = address.and_then(|a| a.split_whitespace().next()) {
            return (server, format!("http://{address}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not log its address")
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
    let (mut server, root) = start_server(db, &log_path, &[]).await;
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
    let stopped = server.stop("-TERM").await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_in_a_transaction_leaves_no_partial_rows() {
    let dir = std::env::temp_dir().join(format!("clinic_fhir_kill_{:016x}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    let database = dir.join("clinic.sqlite");
    let db = database.to_str().unwrap();
    clinic_fhir(&["seed", "--database-url", db, "--patients", "2"]);
    let created =
        clinic_fhir(&["keys", "create", "--database-url", db, "--name", "his", "--allow", "Patient=create"]);
    let (client_id, secret) =
        (field(&created, "client id:").to_owned(), field(&created, "client secret:").to_owned());
    let (mut server, root) = start_server(db, &dir.join("server.log"), &[]).await;
    let token = client_credentials_token(&root, &client_id, &secret, None).await.unwrap();

    // Thousands of creates take seconds: the kill lands in the middle.
    let entries: Vec<serde_json::Value> = (0..3000)
        .map(|i| {
            serde_json::json!({"resource": {"resourceType": "Patient", "name": [{"family": format!("Kill{i}")}],
                "gender": "female", "birthDate": "1990-01-01"}, "request": {"method": "POST", "url": "Patient"}})
        })
        .collect();
    let bundle = serde_json::json!({"resourceType": "Bundle", "type": "transaction", "entry": entries});
    let request = reqwest::Client::new()
        .post(format!("{root}/fhir/r4"))
        .bearer_auth(&token)
        .header("content-type", "application/fhir+json")
        .body(bundle.to_string())
        .send();
    let in_flight = tokio::spawn(request);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.stop("-KILL").await;
    assert!(in_flight.await.unwrap().is_err(), "the transaction must still have been running when killed");

    let patients = clinic_db::Database::connect(db, 1)
        .unwrap()
        .run(|conn| {
            use diesel::prelude::*;
            clinic_db::schema::patients::table
                .count()
                .get_result::<i64>(conn)
                .map_err(clinic_db::DbError::from)
        })
        .await
        .unwrap();
    assert_eq!(patients, 2, "no patient of the killed transaction was kept");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_survives_its_server_being_killed() {
    let dir = std::env::temp_dir().join(format!("clinic_fhir_export_kill_{:016x}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    let database = dir.join("clinic.sqlite");
    let db = database.to_str().unwrap();
    clinic_fhir(&["seed", "--database-url", db, "--patients", "400"]);
    let created =
        clinic_fhir(&["keys", "create", "--database-url", db, "--name", "analyst", "--allow", "*=retrieve"]);
    let (client_id, secret) =
        (field(&created, "client id:").to_owned(), field(&created, "client secret:").to_owned());
    let exports = dir.join("exports");
    // A silent job is taken over after 2 s instead of a minute, to keep the test short.
    let options = ["--export-dir", exports.to_str().unwrap(), "--export-stale-after", "2"];
    let (mut server, root) = start_server(db, &dir.join("server.log"), &options).await;
    let client = reqwest::Client::new();
    let token = client_credentials_token(&root, &client_id, &secret, None).await.unwrap();
    let kick_off = client
        .get(format!("{root}/fhir/r4/$export"))
        .bearer_auth(&token)
        .header("prefer", "respond-async")
        .send()
        .await
        .unwrap();
    assert_eq!(kick_off.status(), 202);
    let status_url = kick_off.headers()["content-location"].to_str().unwrap().to_owned();
    let status_path = status_url.split_once("/fhir/r4/").unwrap().1.to_owned();

    // Killed once the job has written some resources, and before it is done.
    let mut progress = String::new();
    for _ in 0..200 {
        let status = client.get(&status_url).bearer_auth(&token).send().await.unwrap();
        assert_eq!(status.status(), 202, "the export finished before the kill: seed more patients");
        progress = status.headers()["x-progress"].to_str().unwrap().to_owned();
        if progress.ends_with("resources") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(progress.ends_with("resources"), "the job never started: {progress}");
    server.stop("-KILL").await;

    // Another instance (here the restarted one) takes the silent job over and finishes it.
    let (_restarted, root) = start_server(db, &dir.join("restarted.log"), &options).await;
    let token = client_credentials_token(&root, &client_id, &secret, None).await.unwrap();
    let status_url = format!("{root}/fhir/r4/{status_path}");
    let mut manifest = None;
    for poll in 0..600 {
        let status = client.get(&status_url).bearer_auth(&token).send().await.unwrap();
        match status.status().as_u16() {
            202 => tokio::time::sleep(Duration::from_millis(100)).await,
            200 if poll == 0 => panic!("the job was done before the kill: seed more patients"),
            200 => {
                manifest = Some(
                    serde_json::from_slice::<serde_json::Value>(&status.bytes().await.unwrap()).unwrap(),
                );
                break;
            }
            other => panic!("status {other}: {}", status.text().await.unwrap()),
        }
    }
    let manifest = manifest.expect("the export was not finished 60 s after the restart");
    let outputs = manifest["output"].as_array().unwrap();
    assert!(outputs.len() >= 8, "{manifest}");
    for output in outputs {
        let resource_type = output["type"].as_str().unwrap();
        // The URLs have the base of the kick-off (without --public-url, the first server's port).
        let (_, file_path) = output["url"].as_str().unwrap().split_once("/fhir/r4/").unwrap();
        let file =
            client.get(format!("{root}/fhir/r4/{file_path}")).bearer_auth(&token).send().await.unwrap();
        let text = file.text().await.unwrap();
        let ids: std::collections::BTreeSet<String> = text
            .lines()
            .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap()["id"].to_string())
            .collect();
        let search = client
            .get(format!("{root}/fhir/r4/{resource_type}?_count=0"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        let search: serde_json::Value = serde_json::from_slice(&search.bytes().await.unwrap()).unwrap();
        let total = search["total"].as_u64().unwrap();
        assert_eq!(text.lines().count() as u64, total, "{resource_type}: every resource, none twice");
        assert_eq!(ids.len() as u64, total, "{resource_type}: no resource twice");
        assert_eq!(output["count"].as_u64(), Some(total), "{resource_type}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// An event whose delivery failed is still delivered after its server is killed and restarted:
/// the outbox is in the database, and the restarted server signs with the same secret.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_webhook_event_survives_its_server_being_killed() {
    let dir = std::env::temp_dir().join(format!("clinic_fhir_webhook_kill_{:016x}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    let database = dir.join("clinic.sqlite");
    let db = database.to_str().unwrap();
    clinic_fhir(&["migrate", "--database-url", db]);
    let created = clinic_fhir(&[
        "keys",
        "create",
        "--database-url",
        db,
        "--name",
        "lis",
        "--allow",
        "Patient=retrieve,create",
        "--allow",
        "Subscription=retrieve,create",
    ]);
    let (client_id, secret) =
        (field(&created, "client id:").to_owned(), field(&created, "client secret:").to_owned());
    // The receiver fails the first attempt; the retry is due 2 s later, after the restart.
    let receiver = crate::subscriptions::Receiver::start(Some(1));
    let options =
        ["--webhook-signing-key", "the same key on every instance, 32+ bytes", "--webhook-first-retry", "2"];
    let (mut server, root) = start_server(db, &dir.join("server.log"), &options).await;
    let client = reqwest::Client::new();
    let token = client_credentials_token(&root, &client_id, &secret, None).await.unwrap();
    let post = |path: &str, body: serde_json::Value| {
        client
            .post(format!("{root}/fhir/r4/{path}"))
            .bearer_auth(&token)
            .header("content-type", "application/fhir+json")
            .body(body.to_string())
            .send()
    };
    let subscription =
        post("Subscription", crate::subscriptions::subscription("Patient", &receiver.url)).await.unwrap();
    assert_eq!(subscription.status(), 201);
    let id = serde_json::from_slice::<serde_json::Value>(&subscription.bytes().await.unwrap()).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let signing_secret = client
        .get(format!("{root}/fhir/r4/Subscription/{id}/$signing-secret"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let signing_secret = serde_json::from_slice::<serde_json::Value>(&signing_secret.bytes().await.unwrap())
        .unwrap()["parameter"][0]["valueString"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(post("Patient", crate::app::somchai()).await.unwrap().status(), 201);
    assert_eq!(receiver.wait_for(1).await[0].answered, 500);
    server.stop("-KILL").await;

    let (_restarted, _) = start_server(db, &dir.join("restarted.log"), &options).await;
    let attempts = receiver.wait_for(2).await;
    assert_eq!(attempts.len(), 2, "the event was lost with the server");
    assert_eq!(attempts[1].answered, 200);
    assert_eq!(attempts[1].header("x-event-id"), attempts[0].header("x-event-id"));
    assert!(crate::subscriptions::signed_by(&attempts[1], &signing_secret));
    assert_eq!(attempts[1].resource()["name"][0]["family"], "ใจดี");
    let _ = std::fs::remove_dir_all(&dir);
}
