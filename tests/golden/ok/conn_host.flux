pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    task ping : http { url = "http://{{ conn.api.host }}:{{ conn.api.port }}/health" }
    task show : bash { command = "echo {{ conn.warehouse.host | shquote }}" }
}
