pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    task count : sqlite {
        conn = "local"
        sql = "SELECT COUNT(*) FROM t"
    }
    task report : bash { command = "echo {{ tasks.count.outputs.rows }} rows" }
    task store : sqlite {
        conn = "local"
        sql = "INSERT INTO counts VALUES ({{ tasks.count.outputs.rows }})"
    }
    task quoted : bash { command = "echo {{ tasks.count.outputs.rows | shquote }}" }
    task quoted_sql : sqlite {
        conn = "local"
        sql = "INSERT INTO counts VALUES ({{ tasks.count.outputs.rows | sql }})"
    }
    count >> [report, store, quoted, quoted_sql]
}
