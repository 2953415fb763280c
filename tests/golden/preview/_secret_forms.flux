pipeline forms {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task on_mysql : mysql {
        conn = "tricky"
        sql  = "SELECT {{ conn.tricky.password | sql }}"
    }
    task on_sqlite : sqlite {
        conn = "lite"
        sql  = "SELECT {{ conn.tricky.password | sql }}"
    }
    task in_shell : bash {
        command = "echo {{ conn.tricky.password | shquote }} {{ conn.tricky.password | json | shquote }}"
    }
}
