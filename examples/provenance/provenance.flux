# provenance — hourly sensor readings from Kafka into MySQL through files,
# with lineage recorded at every hop. One task corrupts some values without
# failing; README.md walks the lineage back from a wrong row in MySQL to the
# Kafka message it came from and finds that task.
#
#   ingest ─────┬─> normalise ──────┐
#               └─> archive ────────┤
#   create_tables ──────────────────┼─> load_readings ─> summarise ─> report
#   wait_late ───> normalise_late ──┘
#
# wait_late gives up after a few seconds when no file of late readings came
# for the hour: it is skipped (soft_fail), and so is normalise_late after it;
# load_readings runs anyway (trigger_rule none_failed).
#
# Paths are relative to the directory flux runs in. The bash tasks call
# file_lineage.sh from params.tools (this directory, as seen from the
# repository's root; run.sh passes its absolute path).

# FROM-HOUR.jsonl -> TO-HOUR.jsonl: each reading in volts, {id, sensor, ts,
# volts}; prints its counts and the files it read and wrote
{% macro normalise(id, from, to) %}
task {{ id }} : bash {
    description = "converts each reading to volts"
    env = { IN = "{{ from }}-{{ ts_nodash }}.jsonl", OUT = "{{ to }}-{{ ts_nodash }}.jsonl" }
    command = """
        set -eu
        mkdir -p "$(dirname "$OUT")"
        jq -c '{id, sensor, ts, volts: (if .unit == "mV" then .value / 100 else .value end)}' \
            "$IN" > "$OUT.tmp"
        mv "$OUT.tmp" "$OUT"
        echo "::counts read=$(wc -l < "$IN") written=$(wc -l < "$OUT") rejected=0 bytes=$(wc -c < "$IN")"
        sh {{ params.tools | shquote }}/file_lineage.sh read "$IN"
        sh {{ params.tools | shquote }}/file_lineage.sh write "$OUT"
    """
}
{% endmacro %}

pipeline provenance {
    description = "sensor readings: Kafka -> raw file -> volts file -> MySQL, lineage at every hop"
    schedule    = "@hourly"
    start       = "2026-11-01T00:00:00Z"
    tags        = ["kafka", "mysql", "lineage"]

    params {
        topic = "readings"
        tools = "examples/provenance"
    }

    # the hour's messages as they came, one JSON value per line; a message
    # that is not JSON goes to the reject file with its partition and offset
    task ingest : kafka_to_file {
        source      = "kafka"
        topic       = "{{ params.topic }}"
        path        = "data/raw-{{ ts_nodash }}.jsonl"
        reject_file = "data/rejects-ingest-{{ ts_nodash }}.jsonl"
    }

    {{ normalise("normalise", "data/raw", "data/volts") }}

    # the raw file kept as it came, for a replay
    task archive : bash {
        description = "keeps a copy of the raw file"
        env = { IN = "data/raw-{{ ts_nodash }}.jsonl", OUT = "archive/raw-{{ ts_nodash }}.jsonl" }
        command = """
            set -eu
            mkdir -p "$(dirname "$OUT")"
            cp "$IN" "$OUT.tmp"
            mv "$OUT.tmp" "$OUT"
            echo "::counts read=$(wc -l < "$IN") written=$(wc -l < "$OUT") rejected=0 bytes=$(wc -c < "$IN")"
            sh {{ params.tools | shquote }}/file_lineage.sh read "$IN"
            sh {{ params.tools | shquote }}/file_lineage.sh write "$OUT"
        """
    }

    task create_tables : mysql {
        conn = "warehouse"
        sql  = """
            CREATE TABLE IF NOT EXISTS readings (
                id     BIGINT PRIMARY KEY,
                sensor VARCHAR(16) NOT NULL,
                ts     DATETIME NOT NULL,
                volts  DECIMAL(10,3) NOT NULL,
                KEY (ts)
            );
            CREATE TABLE IF NOT EXISTS sensor_hourly (
                hour      DATETIME NOT NULL,
                sensor    VARCHAR(16) NOT NULL,
                readings  INT NOT NULL,
                min_volts DECIMAL(10,3) NOT NULL,
                max_volts DECIMAL(10,3) NOT NULL,
                avg_volts DECIMAL(10,4) NOT NULL,
                PRIMARY KEY (hour, sensor)
            )
        """
    }

    # readings that sensors buffered while offline and uploaded late, if any
    # came for the hour: waits a few seconds, then gives up without failing
    task wait_late : file_sensor {
        path          = "inbox/late-{{ ts_nodash }}.jsonl"
        non_empty     = true
        poke_interval = 1s
        timeout       = 2s
        soft_fail     = true
    }

    {{ normalise("normalise_late", "inbox/late", "data/volts-late") }}

    # the node with several parents: loads every volts file of the hour (a
    # glob) once the raw file is archived, late readings or not
    task load_readings : file_to_mysql {
        path         = "data/volts-*{{ ts_nodash }}.jsonl"
        target       = "warehouse"
        table        = "readings"
        columns      = { id = "$.id", sensor = "$.sensor", ts = "$.ts", volts = "$.volts" }
        mode         = replace_interval
        time_column  = "ts"
        reject_file  = "data/rejects-load-{{ ts_nodash }}.jsonl"
        trigger_rule = none_failed
    }

    task summarise : mysql {
        conn = "warehouse"
        sql  = """
            DELETE FROM sensor_hourly WHERE hour = {{ interval_start | sql }};
            INSERT INTO sensor_hourly
            SELECT {{ interval_start | sql }}, sensor, COUNT(*), MIN(volts), MAX(volts), AVG(volts)
              FROM readings
             WHERE ts >= {{ interval_start | sql }} AND ts < {{ interval_end | sql }}
             GROUP BY sensor
        """
    }

    task report : mysql_to_file {
        source = "warehouse"
        sql    = """
            SELECT sensor, readings, min_volts, max_volts, avg_volts
              FROM sensor_hourly
             WHERE hour = {{ interval_start | sql }}
             ORDER BY sensor
        """
        path   = "report/sensors-{{ ts_nodash }}.csv"
    }

    ingest >> [normalise, archive]
    wait_late >> normalise_late
    [normalise, archive, create_tables, normalise_late] >> load_readings
    load_readings >> summarise >> report
}
