pipeline uris {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task show : bash {
        command = "echo {{ conn.fields.uri | shquote }} {{ conn.byuri.uri | shquote }} {{ conn.nopass.uri | shquote }}"
        env     = {
            LITE = "{{ conn.lite.uri }}",
            EVENTS = "{{ conn.events.uri }}",
            API = "{{ conn.api.uri }}",
            PLAIN = "{{ conn.plainapi.uri }}"
        }
    }
}
