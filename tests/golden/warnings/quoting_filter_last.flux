pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    params {
        name = "world"
    }
    task after_sql : mysql {
        conn = "warehouse"
        sql = "SELECT * FROM t WHERE name = {{ params.name | sql | upper }}"
    }
    task after_shquote : bash { command = "echo {{ params.name | shquote | replace('x', 'y') }}" }
    task sql_in_shell : bash { command = "echo {{ params.name | sql }}" }
    task shquote_in_sql : mysql {
        conn = "warehouse"
        sql = "SELECT * FROM t WHERE name = {{ params.name | shquote }}"
    }
    task last_ok : mysql {
        conn = "warehouse"
        sql = "SELECT * FROM t WHERE name = {{ params.name | upper | default('x') | sql }}"
    }
    task concat : bash { command = "echo {{ params.name | shquote ~ params.name }}" }
    task in_quotes : bash { command = "echo \"hello {{ params.name }}\"" }
    task in_sql_quotes : mysql {
        conn = "warehouse"
        sql = "SELECT * FROM `{{ params.name }}` WHERE name = '{{ params.name }}'"
    }
}
