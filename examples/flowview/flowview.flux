# flowview: monitoring a data flow, message by message.
#
# A producer writes messages to one Kafka topic per dataset; each message
# carries its generation time ("generated_at", also its Kafka timestamp).
# Every hour the flow moves the hour's messages Kafka -> files -> MySQL, and
# records for each message when it was generated, when it landed in a file and
# when it landed in MySQL, so that the loss between stages and the latency of
# each stage can be queried:
#
#   flowview_setup    (@once)   the tables
#   flowview_land     (hourly)  Kafka -> raw file -> landed file (stamped with
#                               landed_at) -> landing_timestamp; the dataset's
#                               last file and Kafka offsets -> flowview_load_metadata;
#                               messages produced and landed -> flowview_load_transmission_ratio
#   flowview_load     (hourly)  waits for the same hour's landing, landed file ->
#                               warehouse_timestamp, then the percentage of the
#                               hour's messages lost per dataset
#   flowview_cleanup  (@once)   one dataset's files and rows, nothing else
#
# Landing and loading are two pipelines with a file between them, as they
# often are: a landing zone written by one job, read by another. Whatever
# happens to the files in between shows in the ratio.

{% set datasets = ["orders", "payments", "clicks"] %}
{% set root = "flowview-data" %}

pipeline flowview_setup {
    description = "flowview: create the monitoring tables"
    owner       = "flowview"
    schedule    = "@once"
    start       = "2026-11-01T00:00:00Z"
    tags        = ["flowview", "mysql"]

    task create_tables : mysql {
        conn = "warehouse"
        sql  = """
            CREATE TABLE IF NOT EXISTS landing_timestamp (
                msg_id       VARCHAR(64) NOT NULL PRIMARY KEY,
                dataset      VARCHAR(32) NOT NULL,
                generated_at DATETIME(3) NOT NULL,
                landed_at    DATETIME(3) NOT NULL,
                KEY by_time (dataset, generated_at)
            );
            CREATE TABLE IF NOT EXISTS warehouse_timestamp (
                msg_id       VARCHAR(64) NOT NULL PRIMARY KEY,
                dataset      VARCHAR(32) NOT NULL,
                generated_at DATETIME(3) NOT NULL,
                landed_at    DATETIME(3) NOT NULL,
                loaded_at    DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                KEY by_time (dataset, generated_at)
            );
            CREATE TABLE IF NOT EXISTS flowview_load_metadata (
                load_start   DATETIME NOT NULL,
                dataset      VARCHAR(32) NOT NULL,
                last_file    VARCHAR(512) NOT NULL,
                offsets      VARCHAR(512) NOT NULL,
                produced     INT NOT NULL,
                landed       INT NOT NULL,
                landed_at    DATETIME(3) NOT NULL,
                landed_run   VARCHAR(128) NOT NULL,
                PRIMARY KEY (load_start, dataset)
            );
            CREATE TABLE IF NOT EXISTS flowview_load_transmission_ratio (
                load_start   DATETIME NOT NULL,
                dataset      VARCHAR(32) NOT NULL,
                produced     INT NOT NULL,
                landed       INT NOT NULL,
                warehoused   INT NOT NULL,
                lost_pct     DECIMAL(6, 2) NOT NULL,
                loaded_run   VARCHAR(128) NOT NULL,
                PRIMARY KEY (load_start, dataset)
            );
            CREATE OR REPLACE VIEW flowview_last_load AS
            SELECT m.dataset, m.load_start, m.last_file, m.offsets
              FROM flowview_load_metadata m
             WHERE m.load_start = (SELECT MAX(n.load_start) FROM flowview_load_metadata n
                                    WHERE n.dataset = m.dataset)
        """
    }
}

pipeline flowview_land {
    description = "flowview: the hour's messages from Kafka into files, each stamped with the time it landed"
    owner       = "flowview"
    schedule    = "@hourly"
    start       = "2026-11-02T00:00:00Z"
    catchup     = false
    tags        = ["flowview", "kafka", "files", "mysql"]
    retries     = 1
    retry_delay = 10s

    # a rerun of the hour lands it again: forget what an earlier run recorded
    task forget_landing : mysql {
        conn = "warehouse"
        sql  = """
            DELETE FROM landing_timestamp
             WHERE generated_at >= {{ interval_start | sql }} AND generated_at < {{ interval_end | sql }};
            DELETE FROM flowview_load_metadata WHERE load_start = {{ interval_start | sql }}
        """
    }

    {% for d in datasets %}
    # transfer: the hour's messages of the dataset's topic, one JSON value a line
    task land_{{ d }} : kafka_to_file {
        source      = "kafka"
        topic       = "flowview.{{ d }}"
        path        = "{{ root }}/raw/{{ d }}/{{ interval_start | date("%Y-%m-%dT%H") }}.jsonl"
        reject_file = "{{ root }}/raw/{{ d }}/{{ interval_start | date("%Y-%m-%dT%H") }}.rejects"
    }

    # each line stamped with the time its file landed (the file's mtime); the
    # Kafka offsets it came from, asked of flux's own lineage; a one-line
    # manifest for the metadata table; counts and lineage reported like a
    # transfer's
    task stamp_{{ d }} : bash {
        command = """
            set -eu
            hour={{ interval_start | date("%Y-%m-%dT%H") | shquote }}
            raw={{ (root ~ "/raw/" ~ d) | shquote }}/$hour.jsonl
            rej={{ (root ~ "/raw/" ~ d) | shquote }}/$hour.rejects
            out={{ (root ~ "/landed/" ~ d) | shquote }}/$hour.jsonl
            manifest={{ (root ~ "/landed/" ~ d) | shquote }}/$hour.manifest.jsonl
            mkdir -p "$(dirname "$out")"
            landed_at=$(date -u -r "$raw" +%Y-%m-%dT%H:%M:%S.%3NZ)
            awk -v t="$landed_at" 'sub(/}[ \t\r]*$/, ",\"landed_at\":\"" t "\"}")' "$raw" > "$out.tmp"
            mv "$out.tmp" "$out"
            n_in=$(wc -l < "$raw")
            n_out=$(wc -l < "$out")
            n_rej=0
            if [ -f "$rej" ]; then n_rej=$(wc -l < "$rej"); fi
            offsets=$(flux lineage --file "$raw" --format json | jq -r --arg run "$FLUX_RUN_ID" '
                [.moves[] | select(.run_id == $run and .state == "success")] | last | .moved
                | map(select(.direction == "read" and .kind == "kafka") | .detail)
                | sort_by(.partition) | map("\(.partition):\(.first)-\(.last)") | join(",")')
            printf '{"load_start":"%s","dataset":"%s","last_file":"%s","offsets":"%s","produced":%d,"landed":%d,"landed_at":"%s","landed_run":"%s"}\n' \
                {{ interval_start | shquote }} {{ d | shquote }} "$out" "${offsets:-none}" $((n_in + n_rej)) "$n_out" \
                "$landed_at" "$FLUX_RUN_ID" > "$manifest"
            sha_in=$(sha256sum < "$raw" | cut -d' ' -f1)
            sha_out=$(sha256sum < "$out" | cut -d' ' -f1)
            echo "::lineage {\"direction\":\"read\",\"kind\":\"file\",\"name\":\"$(realpath "$raw")\",\"detail\":{\"size\":$(stat -c %s "$raw"),\"sha256\":\"$sha_in\",\"records\":$n_in}}"
            echo "::lineage {\"direction\":\"write\",\"kind\":\"file\",\"name\":\"$(realpath "$out")\",\"detail\":{\"size\":$(stat -c %s "$out"),\"sha256\":\"$sha_out\",\"records\":$n_out}}"
            echo "::counts read=$n_in written=$n_out rejected=$((n_in - n_out)) bytes=$(stat -c %s "$raw")"
            echo "::output landed_at=$landed_at"
            echo "::output offsets=${offsets:-none}"
        """
    }

    # transfer: one row per landed message
    task record_{{ d }} : file_to_mysql {
        path    = "{{ root }}/landed/{{ d }}/{{ interval_start | date("%Y-%m-%dT%H") }}.jsonl"
        format  = jsonl
        target  = "warehouse"
        table   = "landing_timestamp"
        columns = { msg_id = "$.msg_id", dataset = "$.dataset", generated_at = "$.generated_at", landed_at = "$.landed_at" }
    }

    # transfer: the manifest (file, offsets, messages produced and landed) into the metadata table
    task note_{{ d }} : file_to_mysql {
        path   = "{{ root }}/landed/{{ d }}/{{ interval_start | date("%Y-%m-%dT%H") }}.manifest.jsonl"
        format = jsonl
        target = "warehouse"
        table  = "flowview_load_metadata"
    }

    land_{{ d }} >> stamp_{{ d }} >> [record_{{ d }}, note_{{ d }}]
    forget_landing >> [record_{{ d }}, note_{{ d }}]
    [record_{{ d }}, note_{{ d }}] >> landed
    {% endfor %}

    # the hour is landed: what flowview_load waits for
    task landed : bash {
        command = "echo landed {{ datasets | join(', ') }} for {{ interval_start | shquote }}"
    }
}

pipeline flowview_load {
    description = "flowview: the landed files of the hour into the warehouse, and the share of messages lost"
    owner       = "flowview"
    schedule    = "@hourly"
    start       = "2026-11-02T00:00:00Z"
    catchup     = false
    tags        = ["flowview", "files", "mysql"]
    retries     = 1
    retry_delay = 10s

    # a rerun of the hour loads it again: forget what an earlier run loaded
    task forget_warehouse : mysql {
        conn = "warehouse"
        sql  = """
            DELETE FROM warehouse_timestamp
             WHERE generated_at >= {{ interval_start | sql }} AND generated_at < {{ interval_end | sql }}
        """
    }

    # sensor: the same hour of flowview_land is done
    task wait_landed : external_task_sensor {
        pipeline      = "flowview_land"
        task          = "landed"
        poke_interval = 5s
        timeout       = 2h
    }

    {% for d in datasets %}

    # transfer: the landed file, as it is now, into the warehouse; loaded_at
    # is the column's default: the moment the row arrived
    task load_{{ d }} : file_to_mysql {
        path        = "{{ root }}/landed/{{ d }}/{{ interval_start | date("%Y-%m-%dT%H") }}.jsonl"
        format      = jsonl
        target      = "warehouse"
        table       = "warehouse_timestamp"
        columns     = { msg_id = "$.msg_id", dataset = "$.dataset", generated_at = "$.generated_at", landed_at = "$.landed_at" }
        reject_file = "{{ root }}/landed/{{ d }}/{{ interval_start | date("%Y-%m-%dT%H") }}.rejects"
    }

    [wait_landed, forget_warehouse] >> load_{{ d }}
    {% endfor %}

    # per dataset: the hour's messages produced (read from Kafka), landed and
    # warehoused, and the percentage of them lost on the way
    task measure : mysql {
        conn = "warehouse"
        sql  = """
            DELETE FROM flowview_load_transmission_ratio WHERE load_start = {{ interval_start | sql }};
            INSERT INTO flowview_load_transmission_ratio
                   (load_start, dataset, produced, landed, warehoused, lost_pct, loaded_run)
            SELECT c.load_start, c.dataset, c.produced, c.landed, c.warehoused,
                   CASE WHEN c.produced = 0 THEN 0
                        ELSE ROUND(100 * (c.produced - c.warehoused) / c.produced, 2) END,
                   {{ run_id | sql }}
              FROM (SELECT m.load_start, m.dataset, m.produced,
                           (SELECT COUNT(*) FROM landing_timestamp l
                             WHERE l.dataset = m.dataset
                               AND l.generated_at >= {{ interval_start | sql }}
                               AND l.generated_at < {{ interval_end | sql }}) AS landed,
                           (SELECT COUNT(*) FROM warehouse_timestamp w
                             WHERE w.dataset = m.dataset
                               AND w.generated_at >= {{ interval_start | sql }}
                               AND w.generated_at < {{ interval_end | sql }}) AS warehoused
                      FROM flowview_load_metadata m
                     WHERE m.load_start = {{ interval_start | sql }}) c
        """
    }

    {% for d in datasets %}
    load_{{ d }} >> measure
    {% endfor %}
}

pipeline flowview_cleanup {
    description = "flowview: remove one dataset's files and rows, and nothing else"
    owner       = "flowview"
    schedule    = "@once"
    start       = "2026-11-01T00:00:00Z"
    tags        = ["flowview", "files", "mysql"]

    params {
        dataset = "clicks"
    }

    task remove_rows : mysql {
        conn = "warehouse"
        sql  = """
            DELETE FROM landing_timestamp WHERE dataset = {{ params.dataset | sql }};
            DELETE FROM warehouse_timestamp WHERE dataset = {{ params.dataset | sql }};
            DELETE FROM flowview_load_metadata WHERE dataset = {{ params.dataset | sql }};
            DELETE FROM flowview_load_transmission_ratio WHERE dataset = {{ params.dataset | sql }}
        """
    }

    task remove_files : bash {
        command = """
            set -eu
            d={{ params.dataset | shquote }}
            case $d in ''|*/*|.*) echo "not a dataset name: $d" >&2; exit 1 ;; esac
            for stage in raw landed; do
                if [ -d {{ root | shquote }}/$stage/"$d" ]; then
                    echo "removing $(find {{ root | shquote }}/$stage/"$d" -type f | wc -l) file(s) of {{ root }}/$stage/$d"
                    rm -rf {{ root | shquote }}/$stage/"$d"
                fi
            done
            echo "::output dataset=$d"
        """
    }

    remove_rows >> remove_files
}
