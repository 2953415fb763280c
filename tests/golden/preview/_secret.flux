pipeline exports {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task dump : bash {
        command = "mysqldump -h {{ conn.warehouse.host }} -P {{ conn.warehouse.port }} -u {{ conn.warehouse.user }} -p{{ conn.warehouse.password | shquote }} {{ conn.warehouse.database }} > /tmp/dw-{{ ds }}.sql"
        env     = { MYSQL_PWD = "{{ conn.warehouse.password }}", URL = "mysql://{{ conn.warehouse.user }}:{{ conn.warehouse.password }}@{{ conn.warehouse.host }}/dw" }
    }
}
