# An operator of one's own is checked as a built-in one: a misspelt
# parameter gets a did-you-mean, a missing required one is named.
pipeline misspelt {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"

    task load : csv_to_sqlite {
        path   = "in/{{ ds }}.csv"
        target = "warehouse"
        tabel  = "orders"
    }
}
