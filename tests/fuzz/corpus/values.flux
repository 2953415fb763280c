# every kind of value, one per attribute
pipeline values {
    description = "all the values"
    schedule    = "@hourly"
    start       = "2026-11-01T00:00:00Z"
    catchup     = false
    max_active_runs = 1
    tags        = ["x", "y"]

    params {
        name  = "world"
        limit = 10
        ratio = 0.25
        on    = true
        wait  = 500ms
    }

    task a : http {
        conn     = "api"
        url      = "/x"
    }
    task b : sqlite {
        conn = "local"
        sql  = "SELECT {{ params.limit | sql }}, {{ interval_start | sql }}"
        trigger_rule = all_done
    }
    task c : bash { command = "echo {{ params.name | shquote }}" }
    a >> b >> c
    [a, b] >> c
}
