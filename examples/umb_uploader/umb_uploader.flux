# umb_uploader: monitoring notifications (the "UMB" feed) from Kafka into MySQL, hour by hour.
#
# Every hour the monitoring agents have sent a few ten thousand notifications to the topic
# umb.notifications, one JSON document each: tenant, environment, node, check, alarm state, time,
# and much noise (IPs, labels, plugin output). This pipeline
#   - waits until every partition of the topic has reached the end of the hour (kafka_sensor);
#   - reduces each notification of the hour to a terse record of six columns and loads them in
#     batches; a malformed message, one without a tenant (unattributable), or one whose values do not
#     fit the columns goes to the reject file with its reason, and read = written + rejected;
#     the rows and the consumed offsets are committed together, so a rerun adds nothing twice;
#   - rebuilds the hour's summary (notifications, nodes and checks per tenant, environment, state)
#     in one transaction, so a rerun replaces it;
#   - produces a status message with the hour's counts to umb.status.

pipeline umb_uploader {
    description = "UMB notifications: Kafka -> terse rows in MySQL, hourly summary, status message"
    owner       = "monitoring"
    schedule    = "@hourly"
    start       = "2026-11-01T00:00:00Z"
    catchup     = false
    max_active_runs = 1
    tags        = ["kafka", "mysql", "monitoring"]

    retries     = 2
    retry_delay = 30s

    params {
        topic        = "umb.notifications"
        status_topic = "umb.status"
    }

    # the tables; IF NOT EXISTS, so every run may create them
    task create_tables : mysql {
        conn = "warehouse"
        sql  = """
            CREATE TABLE IF NOT EXISTS umb_notifications (
                seq         BIGINT      NOT NULL,
                tenant      VARCHAR(32) NOT NULL,
                environment VARCHAR(16) NOT NULL,
                node        VARCHAR(64) NOT NULL,
                check_name  VARCHAR(32) NOT NULL,
                state       ENUM('OK', 'WARNING', 'CRITICAL', 'UNKNOWN') NOT NULL,
                ts          DATETIME(3) NOT NULL,
                KEY by_time (ts)
            );
            CREATE TABLE IF NOT EXISTS umb_summary (
                hour          DATETIME    NOT NULL,
                tenant        VARCHAR(32) NOT NULL,
                environment   VARCHAR(16) NOT NULL,
                state         VARCHAR(16) NOT NULL,
                notifications INT         NOT NULL,
                nodes         INT         NOT NULL,
                checks        INT         NOT NULL,
                PRIMARY KEY (hour, tenant, environment, state)
            )
        """
    }

    # sensor: every partition holds a message at or after the end of the hour, so the hour is complete
    task wait_for_hour : kafka_sensor {
        conn          = "kafka"
        topic         = "{{ params.topic }}"
        until         = "{{ interval_end }}"
        poke_interval = 10s
        timeout       = 30m
    }

    # transfer: the hour's notifications reduced to six columns, loaded in batches; the nested
    # fields are picked by JSONPath, everything else in the message is dropped
    task load : kafka_to_mysql {
        source      = "kafka"
        topic       = "{{ params.topic }}"
        target      = "warehouse"
        table       = "umb_notifications"
        columns     = {
            seq         = "$.seq",
            tenant      = "$.tenant",
            environment = "$.env",
            node        = "$.node.name",
            check_name  = "$.check.name",
            state       = "$.check.state",
            ts          = "$.time"
        }
        mode        = append
        batch_size  = 20000
        reject_file = "rejects/umb_notifications_{{ ts_nodash }}.jsonl"
    }

    # the hour's summary, replaced whole in one transaction (a rerun does not double it)
    task summarise : mysql {
        conn = "warehouse"
        sql  = """
            DELETE FROM umb_summary WHERE hour = {{ interval_start | sql }};
            INSERT INTO umb_summary (hour, tenant, environment, state, notifications, nodes, checks)
            SELECT {{ interval_start | sql }}, tenant, environment, state,
                   COUNT(*), COUNT(DISTINCT node), COUNT(DISTINCT check_name)
              FROM umb_notifications
             WHERE ts >= {{ interval_start | sql }} AND ts < {{ interval_end | sql }}
             GROUP BY tenant, environment, state
        """
    }

    # remote execution: one status message for the hour, keyed by the pipeline; rows_loaded is the
    # number of rows the hour holds in the table (the same on a rerun, which loads nothing twice)
    task status : kafka_produce {
        conn    = "kafka"
        topic   = "{{ params.status_topic }}"
        key     = "umb_uploader"
        headers = { run_id = "{{ run_id }}" }
        value   = """{"pipeline":"umb_uploader","hour":"{{ interval_start }}","run_id":{{ run_id | json }},"loaded":{{ tasks.load.outputs.rows_loaded }}}"""
    }

    [create_tables, wait_for_hour] >> load >> summarise >> status
}
