pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    params {
        min_rows = 1
    }
    task q : mysql {
        conn = "warehouse"
        sql = "SELECT COUNT(*) >= {{ params.min_rows | sql }} FROM loads"
    }
}
