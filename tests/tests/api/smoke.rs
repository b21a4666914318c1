use madar_tests::*;

backend_tests! {
    fn health_and_readiness_answer(backend) {
        let app = TestApp::spawn(backend);
        assert_eq!(app.get("/healthz", None).status(), 200);
        let res = app.get("/readyz", None);
        assert_eq!(res.status(), 200);
        assert_eq!(res.json::<Value>().unwrap()["status"], "ok");
    }

    fn every_demo_user_logs_in(backend) {
        let app = TestApp::spawn(backend);
        for (email, role) in DEMO_USERS {
            let body = app.login_body(email, DEMO_PASSWORD);
            assert_eq!(body["user"]["role"], role);
        }
    }
}
