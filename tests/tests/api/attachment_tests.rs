//! Case attachments: PDF and images uploaded as the raw body, checked (declared type against
//! the first bytes, size, file name), stored encrypted, listed, downloaded byte for byte by
//! those who see the case's sensitive fields; scope and role; idempotent replay.
use madar_tests::cases::*;
use madar_tests::*;

const LIMIT: usize = 10 * 1024 * 1024;
const MARKER: &[u8] = b"CERTIFICAT-MEDICAL-CONFIDENTIEL";

fn pdf() -> Vec<u8> {
    let mut file = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n".to_vec();
    file.extend_from_slice(MARKER);
    file.extend_from_slice(b"\nendobj\n%%EOF\n");
    file
}

fn png() -> Vec<u8> {
    let mut file = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0".to_vec();
    file.extend((0..=255u8).cycle().take(3000));
    file
}

fn attachments(case: &OpenedCase) -> String {
    format!("{}/attachments", case.path)
}

fn upload(
    app: &TestApp,
    token: &str,
    case: &OpenedCase,
    (kind, name, content_type): (&str, &str, &str),
    bytes: Vec<u8>,
    key: Option<&str>,
) -> Response {
    let mut req = app
        .client
        .post(app.url(&attachments(case)))
        .query(&[("kind", kind), ("file_name", name)])
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(bytes);
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    req.send().expect("request")
}

fn download(app: &TestApp, token: &str, case: &OpenedCase, id: &Value) -> Response {
    app.get(
        &format!("{}/{}", attachments(case), id.as_str().expect("id")),
        Some(token),
    )
}

fn header(res: &Response, name: &str) -> String {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

fn items(body: &Value) -> Vec<Value> {
    body["items"].as_array().cloned().unwrap_or_default()
}

/// Every attachment's sealed contents, as stored.
/// A sealed value `v1:<key id>:<base64url>` holds neither file in clear: not in the text
/// (as it is, or in base64 of the whole file) nor in the decoded bytes. Checking for a few
/// letters such as "PNG" in the text would fail by chance now and then: random base64
/// contains any three given letters once in about 260,000 characters.
fn assert_holds_no_plaintext(value: &str) {
    use base64::Engine;
    let data = value.rsplit(':').next().unwrap_or_default();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(data)
        .expect("base64url");
    for file in [pdf(), png()] {
        let head = &file[..16];
        assert!(
            !bytes.windows(head.len()).any(|w| w == head),
            "a file's first bytes in clear"
        );
        for engine in [
            base64::engine::general_purpose::STANDARD,
            base64::engine::general_purpose::URL_SAFE,
        ] {
            let encoded = engine.encode(&file[..24]);
            assert!(!value.contains(&encoded[..20]), "a file in base64");
        }
    }
    assert!(!bytes.windows(MARKER.len()).any(|w| w == MARKER));
    assert!(!value.contains(&*String::from_utf8_lossy(MARKER)));
}

fn raw_contents(app: &TestApp) -> Vec<String> {
    app.db
        .strings("SELECT content_sealed FROM case_attachments")
}

backend_tests! {
    fn pdf_and_png_files_are_stored_encrypted_and_downloaded_byte_for_byte(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let case = open_case(&app, &coordinator, "Anas");
        let res = upload(&app, &coordinator, &case, ("medical_certificate", "شهادة طبية.pdf", "application/pdf"), pdf(), None);
        assert!(header(&res, "location").contains("/attachments/"));
        let created = json_of(res, 201);
        assert_eq!(created["kind"], "medical_certificate");
        assert_eq!(created["file_name"], "شهادة طبية.pdf");
        assert_eq!(created["content_type"], "application/pdf");
        assert_eq!(created["size_bytes"], pdf().len());
        assert_eq!(created["sha256"].as_str().map(str::len), Some(64));
        assert_eq!(created["redacted"], false);
        let image = json_of(upload(&app, &coordinator, &case, ("consent_form", "consent.png", "image/png"), png(), None), 201);

        let res = download(&app, &coordinator, &case, &created["id"]);
        assert_eq!(res.status(), 200);
        assert_eq!(header(&res, "content-type"), "application/pdf");
        assert_eq!(header(&res, "x-content-type-options"), "nosniff");
        assert_eq!(header(&res, "cache-control"), "no-store");
        let disposition = header(&res, "content-disposition");
        assert!(disposition.starts_with("attachment;"), "{disposition}");
        assert!(disposition.contains("filename*=UTF-8''%D8%B4%D9%87%D8%A7%D8%AF%D8%A9%20"), "{disposition}");
        assert_eq!(res.bytes().expect("body").to_vec(), pdf());
        let res = download(&app, &coordinator, &case, &image["id"]);
        assert_eq!(header(&res, "content-type"), "image/png");
        assert_eq!(res.bytes().expect("body").to_vec(), png());

        let list = json_of(app.get(&attachments(&case), Some(&coordinator)), 200);
        let list = items(&list);
        assert_eq!(list.len(), 2);
        assert_eq!(list[0]["id"], image["id"]);
        assert_eq!(list[1], created);

        // Not in clear in the database.
        let stored = raw_contents(&app);
        assert_eq!(stored.len(), 2);
        for value in &stored {
            assert!(value.starts_with("v1:"), "sealed: {value:.20}");
            assert_holds_no_plaintext(value);
        }

        let timeline = json_of(app.get(&format!("{}/timeline", case.path), Some(&coordinator)), 200);
        let added: Vec<Value> = timeline.as_array().unwrap().iter()
            .filter(|e| e["kind"] == "attachment_added").map(|e| e["detail"].clone()).collect();
        assert_eq!(added, [
            json!({"kind": "medical_certificate", "content_type": "application/pdf"}),
            json!({"kind": "consent_form", "content_type": "image/png"}),
        ]);
    }

    fn uploads_are_checked_for_type_contents_size_and_name(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let case = open_case(&app, &coordinator, "Reda");
        assert_problem(upload(&app, &coordinator, &case, ("other", "a.png", "image/png"), pdf(), None), 422, "content_mismatch");
        assert_problem(upload(&app, &coordinator, &case, ("other", "a.jpg", "image/jpeg"), b"GIF89a....".to_vec(), None), 422, "content_mismatch");
        assert_problem(upload(&app, &coordinator, &case, ("other", "a.pdf", "application/pdf"), Vec::new(), None), 422, "content_mismatch");
        assert_problem(upload(&app, &coordinator, &case, ("other", "a.html", "text/html"), b"<html>".to_vec(), None), 415, "unsupported_media_type");
        assert_problem(upload(&app, &coordinator, &case, ("other", "a.svg", "image/svg+xml"), b"<svg/>".to_vec(), None), 415, "unsupported_media_type");
        let mut big = pdf();
        big.resize(LIMIT + 1, b' ');
        assert_problem(upload(&app, &coordinator, &case, ("court_decision", "big.pdf", "application/pdf"), big.clone(), None), 413, "payload_too_large");
        big.truncate(LIMIT);
        let exact = json_of(upload(&app, &coordinator, &case, ("court_decision", "big.pdf", "application/pdf"), big.clone(), None), 201);
        assert_eq!(exact["size_bytes"], LIMIT);
        let res = download(&app, &coordinator, &case, &exact["id"]);
        assert_eq!(res.bytes().expect("body").len(), LIMIT);
        for name in ["../../etc/passwd", "a\\b.pdf", "", &"a".repeat(201)] {
            let problem = assert_problem(upload(&app, &coordinator, &case, ("other", name, "application/pdf"), pdf(), None), 422, "validation_failed");
            assert_eq!(problem["errors"][0]["field"], "file_name", "{name}");
        }
        assert_problem(upload(&app, &coordinator, &case, ("passport_scan", "a.pdf", "application/pdf"), pdf(), None), 422, "validation_failed");
    }

    fn only_those_who_see_sensitive_fields_download(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let worker = app.token(CASE_WORKER);
        let case = open_case(&app, &coordinator, "Zakaria");
        let created = json_of(upload(&app, &worker, &case, ("school_certificate", "ecole.pdf", "application/pdf"), pdf(), None), 201);
        assert_eq!(created["redacted"], true, "an unassigned worker uploads but does not read back");
        assert_eq!(created["file_name"], Value::Null);
        let list = json_of(app.get(&attachments(&case), Some(&worker)), 200);
        assert_eq!(items(&list)[0]["file_name"], Value::Null);
        assert_eq!(items(&list)[0]["redacted"], true);
        assert_problem(download(&app, &worker, &case, &created["id"]), 403, "forbidden");

        let me = json_of(app.get("/api/v1/me", Some(&worker)), 200);
        let etag = app.etag(&case.path, &coordinator);
        json_of(app.patch(&case.path, Some(&coordinator), &etag, &json!({"assigned_to": [me["id"]]})), 200);
        let res = download(&app, &worker, &case, &created["id"]);
        assert_eq!(res.status(), 200);
        assert_eq!(res.bytes().expect("body").to_vec(), pdf());

        let (_, sale) = staff(&app, "worker@cape-sale.ma", "case_worker", "cape-sale", "441");
        assert_problem(app.get(&attachments(&case), Some(&sale)), 404, "not_found");
        assert_problem(download(&app, &sale, &case, &created["id"]), 404, "not_found");
        assert_problem(upload(&app, &sale, &case, ("other", "x.pdf", "application/pdf"), pdf(), None), 404, "not_found");
        let partner = app.token(PARTNER);
        assert_problem(download(&app, &partner, &case, &created["id"]), 404, "not_found");
        assert_problem(upload(&app, &partner, &case, ("other", "x.pdf", "application/pdf"), pdf(), None), 403, "forbidden");
        let missing = json!("01900000-0000-7000-8000-000000000000");
        assert_problem(download(&app, &coordinator, &case, &missing), 404, "not_found");
    }

    fn an_upload_retried_with_its_key_is_stored_once(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let case = open_case(&app, &coordinator, "Nabil");
        let meta = ("identity_document", "cin.png", "image/png");
        let first = json_of(upload(&app, &coordinator, &case, meta, png(), Some("upload-1")), 201);
        let res = upload(&app, &coordinator, &case, meta, png(), Some("upload-1"));
        assert_eq!(header(&res, "idempotent-replayed"), "true");
        assert_eq!(json_of(res, 201), first);
        let mut other = png();
        other.push(0);
        assert_problem(upload(&app, &coordinator, &case, meta, other, Some("upload-1")), 422, "idempotency_key_reused");
        let list = json_of(app.get(&attachments(&case), Some(&coordinator)), 200);
        assert_eq!(items(&list).len(), 1);
    }
}
