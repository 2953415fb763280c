pipeline conn_type {
    schedule = "@daily"
    start = "2026-11-01T00:00:00Z"
    task q : mysql {
        conn = "events"
        sql = "SELECT 1"
    }
    task move : kafka_to_mysql {
        source = "warehouse"
        topic = "t"
        target = "lite"
        table = "t"
        columns = { x = "$.x" }
    }
    task lite : sqlite {
        conn = "warehouse"
        sql = "SELECT 1"
    }
    task ping : http {
        conn = "lite"
        url = "/health"
    }
    task dump : mysql_to_file {
        source = "lite"
        sql = "SELECT 1"
        path = "out.csv"
    }
}
