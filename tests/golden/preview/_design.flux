# hourly load of banking-game events
{% set tables = ["asset_prices", "account_status"] %}

pipeline events_hourly {
    description = "events topic -> one MySQL table per event type"
    schedule    = "0 * * * *"            # cron, or @hourly @daily @weekly @monthly @yearly @once, or "every 15m"
    start       = "2026-11-01T00:00:00Z"
    timezone    = "Europe/Paris"         # schedule is evaluated in this zone, DST-correct
    catchup     = true
    max_active_runs = 2
    retries     = 2                      # pipeline-level values are defaults for every task
    retry_delay = 30s
    tags        = ["kafka", "mysql"]

    params {                             # run-time values with compile-time defaults; typed by their default
        topic = "events"
        min_rows = 1
    }

    task wait_events : kafka_sensor {
        conn          = "kafka"
        topic         = "{{ params.topic }}"
        until         = "{{ interval_end }}"
        poke_interval = 10s
        timeout       = 1h
    }

    {% for t in tables %}
    task load_{{ t }} : kafka_to_mysql {
        source  = "kafka"
        topic   = "{{ params.topic }}"
        match   = { event_type = "{{ t }}" }
        target  = "warehouse"
        table   = "{{ t }}"
        columns = { ts = "$.timestamp", host = "$.Host", description = "$.description" }
    }
    wait_events >> load_{{ t }}
    {% endfor %}

    task summary : mysql {
        conn = "warehouse"
        sql  = """
            INSERT INTO loads (ds, n)
            SELECT {{ ds | sql }}, COUNT(*) FROM asset_prices
            WHERE ts >= {{ interval_start | sql }} AND ts < {{ interval_end | sql }}
        """
        trigger_rule = all_done
    }

    [load_asset_prices, load_account_status] >> summary
}
