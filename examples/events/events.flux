# Hourly user events: one Kafka topic, four event types, four MySQL tables.
#
# An API publishes its users' events to the topic `user_events` (3 partitions), one JSON message per
# event, nested: {"event_id", "event_type", "ts", "user": {"id", "country"}, "payload": {...}} with a
# payload of its own per type. Every hour this pipeline
#   - waits until every partition has a message at or after the end of the hour (kafka_sensor);
#   - splits the hour's messages by type into JSON Lines files, partitioned by hour and type
#     (kafka_to_file with match), e.g. out/20261102/10/login.jsonl;
#   - flattens each file into the type's table, nested fields picked by JSONPath (file_to_mysql,
#     replace_interval: a rerun of the hour replaces the hour's rows, it never duplicates them);
#   - counts the hour's events per type into event_counts and prints them (mysql, all_done).
# The per-type tasks are written once, in a {% for %} loop over the compile-time list `types`.

{% set types = ["signup", "login", "page_view", "purchase"] %}

# table column = JSONPath into the event: the nested fields flattened
{% set columns = {
    "signup":    {"event_id": "$.event_id", "ts": "$.ts", "user_id": "$.user.id", "country": "$.user.country",
                  "plan": "$.payload.plan", "referrer": "$.payload.referrer"},
    "login":     {"event_id": "$.event_id", "ts": "$.ts", "user_id": "$.user.id", "country": "$.user.country",
                  "method": "$.payload.method", "os": "$.payload.device.os",
                  "app_version": "$.payload.device.app_version"},
    "page_view": {"event_id": "$.event_id", "ts": "$.ts", "user_id": "$.user.id", "country": "$.user.country",
                  "path": "$.payload.page.path", "duration_ms": "$.payload.duration_ms"},
    "purchase":  {"event_id": "$.event_id", "ts": "$.ts", "user_id": "$.user.id", "country": "$.user.country",
                  "order_id": "$.payload.order.id", "amount": "$.payload.order.amount",
                  "currency": "$.payload.order.currency", "items": "$.payload.order.items"},
} %}

pipeline user_events_hourly {
    description = "user events topic -> JSON Lines per type and hour -> one MySQL table per type"
    owner       = "examples"
    schedule    = "@hourly"
    start       = "2026-11-01T00:00:00Z"
    timezone    = "UTC"
    catchup     = false
    max_active_runs = 1
    tags        = ["kafka", "files", "mysql"]
    retries     = 1
    retry_delay = 10s

    params {
        topic = "user_events"
        out   = "out"                   # root of the JSON Lines files, relative to where flux runs
    }

    # sensor: the hour is complete once every partition holds a message at or after its end
    task wait_events : kafka_sensor {
        conn          = "kafka"
        topic         = "{{ params.topic }}"
        until         = "{{ interval_end }}"
        poke_interval = 5s
        timeout       = 30m
    }

    # remote execution: one table per type, plus the hourly counts
    task create_tables : mysql {
        conn = "warehouse"
        sql  = """
            CREATE TABLE IF NOT EXISTS signup_events (
                event_id BIGINT PRIMARY KEY, ts DATETIME(3) NOT NULL, user_id INT NOT NULL,
                country CHAR(2) NOT NULL, plan VARCHAR(16) NOT NULL, referrer VARCHAR(32) NULL,
                KEY (ts)
            );
            CREATE TABLE IF NOT EXISTS login_events (
                event_id BIGINT PRIMARY KEY, ts DATETIME(3) NOT NULL, user_id INT NOT NULL,
                country CHAR(2) NOT NULL, method VARCHAR(16) NOT NULL, os VARCHAR(16) NOT NULL,
                app_version VARCHAR(16) NOT NULL,
                KEY (ts)
            );
            CREATE TABLE IF NOT EXISTS page_view_events (
                event_id BIGINT PRIMARY KEY, ts DATETIME(3) NOT NULL, user_id INT NOT NULL,
                country CHAR(2) NOT NULL, path VARCHAR(128) NOT NULL, duration_ms INT NOT NULL,
                KEY (ts)
            );
            CREATE TABLE IF NOT EXISTS purchase_events (
                event_id BIGINT PRIMARY KEY, ts DATETIME(3) NOT NULL, user_id INT NOT NULL,
                country CHAR(2) NOT NULL, order_id VARCHAR(16) NOT NULL, amount DECIMAL(10, 2) NOT NULL,
                currency CHAR(3) NOT NULL, items INT NOT NULL,
                KEY (ts)
            );
            CREATE TABLE IF NOT EXISTS event_counts (
                hour_start DATETIME NOT NULL, event_type VARCHAR(16) NOT NULL,
                events INT NOT NULL, users INT NOT NULL,
                PRIMARY KEY (hour_start, event_type)
            )
        """
    }

    {% for t in types %}
    # transfer: the hour's {{ t }} messages, as they are, to a file of their type and hour
    task split_{{ t }} : kafka_to_file {
        source      = "kafka"
        topic       = "{{ params.topic }}"
        match       = { event_type = "{{ t }}" }
        path        = "{{ params.out }}/{{ ds_nodash }}/{{ interval_start | date("%H") }}/{{ t }}.jsonl"
        reject_file = "{{ params.out }}/{{ ds_nodash }}/{{ interval_start | date("%H") }}/{{ t }}.rejects.jsonl"
    }

    # transfer: the file flattened into {{ t }}_events; a rerun replaces the hour's rows
    task load_{{ t }} : file_to_mysql {
        path        = "{{ params.out }}/{{ ds_nodash }}/{{ interval_start | date("%H") }}/{{ t }}.jsonl"
        format      = jsonl
        target      = "warehouse"
        table       = "{{ t }}_events"
        columns     = {{ columns[t] }}
        mode        = replace_interval
        time_column = "ts"
        reject_file = "{{ params.out }}/{{ ds_nodash }}/{{ interval_start | date("%H") }}/{{ t }}.load_rejects.jsonl"
    }

    wait_events >> split_{{ t }} >> load_{{ t }} >> count_events
    create_tables >> load_{{ t }}
    {% endfor %}

    # the hour's events per type, whatever became of the loads (all_done)
    task count_events : mysql {
        conn = "warehouse"
        sql  = """
            SET @h = {{ interval_start | sql }}, @e = {{ interval_end | sql }};
            DELETE FROM event_counts WHERE hour_start = @h;
            INSERT INTO event_counts (hour_start, event_type, events, users)
            SELECT @h, event_type, COUNT(*), COUNT(DISTINCT user_id) FROM (
                SELECT 'signup'    AS event_type, user_id FROM signup_events    WHERE ts >= @h AND ts < @e
                UNION ALL
                SELECT 'login'     AS event_type, user_id FROM login_events     WHERE ts >= @h AND ts < @e
                UNION ALL
                SELECT 'page_view' AS event_type, user_id FROM page_view_events WHERE ts >= @h AND ts < @e
                UNION ALL
                SELECT 'purchase'  AS event_type, user_id FROM purchase_events  WHERE ts >= @h AND ts < @e
            ) AS hour_events
            GROUP BY event_type
        """
        trigger_rule = all_done
    }

    # the query step: one SELECT with its value bound to a placeholder, whose rows the log shows
    task report_counts : mysql {
        conn   = "warehouse"
        sql    = "SELECT event_type, events, users FROM event_counts WHERE hour_start = ? ORDER BY event_type"
        params = ["{{ interval_start | date("%F %T") }}"]
    }

    count_events >> report_counts
}
