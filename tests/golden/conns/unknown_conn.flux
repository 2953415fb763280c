pipeline unknown_conn {
    schedule = "@daily"
    start = "2026-11-01T00:00:00Z"
    task q : mysql {
        conn = "warehous"
        sql = "SELECT 1"
    }
    task move : kafka_to_mysql {
        source = "event"
        topic = "t"
        target = "nowhere"
        table = "t"
        columns = { x = "$.x" }
    }
    task show : bash { command = "echo {{ conn.warehose.host | shquote }} {{ conn.elsewhere.host | shquote }}" }
}
