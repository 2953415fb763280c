# no flux.yaml here or in a parent directory: flux check says once which
# connection and pool names it could not check
pipeline names_unchecked {
    schedule = "@daily"
    start = "2026-11-01T00:00:00Z"
    pool = "etl"
    task q : mysql {
        conn = "warehouse"
        sql = "SELECT 1"
    }
    task r : mysql {
        conn = "warehouse"
        sql = "SELECT {{ conn.reporting.host | sql }}"
    }
    task move : kafka_to_mysql {
        source = "events"
        topic = "t"
        target = "warehouse"
        table = "t"
        columns = { x = "$.x" }
        pool = "db"
    }
}
