# Operators of one's own, end to end: a sensor written in shell waits for the
# day's CSV file, a transfer written in Python loads it into SQLite (counts
# checked: read = written + rejected), and the built-in sqlite operator
# summarises the table. Both operators live in operators/ (see flux.yaml).

{% set inbox = "inbox" %}

pipeline custom_ops {
    description = "a day's orders: waited for, loaded and summed by operators of our own"
    schedule    = "@daily"
    start       = "2026-11-01T00:00:00Z"

    task drop_orders : bash {
        command = """
            set -e
            sleep 2     # late, so the sensor pokes more than once
            mkdir -p {{ inbox | shquote }}
            f={{ (inbox ~ "/orders_" ~ ds_nodash ~ ".csv") | shquote }}
            printf 'order_id,amount\n1,10.50\n2,4.25\n3\n4,20.00\n' > "$f.tmp"
            mv "$f.tmp" "$f"
        """
    }

    task wait_orders : file_lines_sensor {
        path          = "{{ inbox }}/orders_{{ ds_nodash }}.csv"
        min_lines     = 3
        poke_interval = 1s
        timeout       = 1m
    }

    task load_orders : csv_to_sqlite {
        path   = "{{ inbox }}/orders_{{ ds_nodash }}.csv"
        target = "warehouse"
        table  = "orders"
        mode   = replace
    }

    task total : sqlite {
        conn = "warehouse"
        sql  = "SELECT COUNT(*) AS orders, SUM(CAST(amount AS REAL)) AS total FROM orders"
    }

    wait_orders >> load_orders >> total
}
