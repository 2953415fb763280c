pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    tags = [
        "a",
        "b",
    ]
    task a : bash {
        command = "env"
        env = {
            A = "1",
            B = "2",
        }
    }
    task b : http {
        url = "http://example.com/"
        expected_status = [200, 204,]
        headers = { Accept = "text/plain", }
    }
}
