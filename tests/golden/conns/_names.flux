pipeline names {
    schedule = "@daily"
    start = "2026-11-01T00:00:00Z"
    task q : mysql {
        conn = "warehouse"
        sql = "SELECT 1"
        pool = "etl"
    }
}
