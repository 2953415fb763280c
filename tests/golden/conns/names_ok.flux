# Every connection and pool named here is defined in flux.yaml with a type
# its operator accepts: a SQLite file may stand in for MySQL where the
# operator says so (mysql, sql_sensor, file_to_mysql).
pipeline names_ok {
    schedule = "@daily"
    start = "2026-11-01T00:00:00Z"
    pool = "etl"
    task wait : kafka_sensor {
        conn = "events"
        topic = "t"
        min_messages = 1
    }
    task load : kafka_to_mysql {
        source = "events"
        topic = "t"
        target = "warehouse"
        table = "t"
        columns = { x = "$.x" }
        pool = "db"
    }
    task count : mysql {
        conn = "lite"
        sql = "SELECT 1"
    }
    task lite : sqlite {
        conn = "lite"
        sql = "SELECT 1"
    }
    task ping : http {
        conn = "api"
        url = "/health"
    }
    task show : bash { command = "echo {{ conn.warehouse.host | shquote }} {{ conn['events'].brokers | shquote }}" }
    wait >> load >> [count, lite, ping, show]
}
