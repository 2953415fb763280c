pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    params {
        topic = "events"
    }
    task a : kafka_sensor {
        conn = "kafka"
        topic = "{{ params.topc }}"
        min_messages = 1
    }
}
