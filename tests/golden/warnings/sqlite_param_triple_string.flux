pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    params {
        table = "events"
    }
    task q : sqlite {
        conn = "local"
        sql = """
            DELETE FROM t
            WHERE name = {{ params.table }}
        """
    }
}
