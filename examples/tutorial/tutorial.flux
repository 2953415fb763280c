# The Flux tutorial: a daily file of prices, waited for, announced, loaded and summarised.
#
# It shows the ideas of the original Flux README on one small pipeline:
#   - a sensor waits for the day's file to arrive (file_sensor), dropped there by a
#     stand-in for the upstream system that is not a dependency of the sensor;
#   - remote execution runs a shell command and SQL (bash, mysql);
#   - a transfer loads the file into a table and counts what it read (file_to_mysql);
#   - dependencies (>>), retries, and templates rendered for each run ({{ ds }} ...).
# On the embedded default the "warehouse" connection is a SQLite file standing in for MySQL.

{% set inbox = "examples/tutorial/inbox" %}

pipeline tutorial {
    description = "daily prices: wait for the file, load it, summarise the day"
    owner       = "tutorial"
    schedule    = "@daily"
    start       = "2026-11-01T00:00:00Z"
    catchup     = false
    tags        = ["tutorial", "files", "sql"]

    retries     = 2                 # every task retries twice ...
    retry_delay = 10s               # ... ten seconds apart

    params {
        greeting = "prices of the day"
        min_rows = 1
    }

    # stand-in for the system that delivers the file; written aside, then renamed,
    # so the sensor never sees half a file
    task drop_prices : bash {
        command = """
            set -e
            f={{ (inbox ~ "/prices_" ~ ds_nodash ~ ".csv") | shquote }}
            d={{ ds | shquote }}
            mkdir -p {{ inbox | shquote }}
            printf 'ts,symbol,price\n%s 09:30:00,ACME,12.50\n%s 16:00:00,ACME,13.25\n%s 16:00:00,INIT,7.00\n' "$d" "$d" "$d" > "$f.tmp"
            mv "$f.tmp" "$f"
        """
    }

    # sensor: succeeds once the day's file exists and is not empty
    task wait_for_prices : file_sensor {
        path          = "{{ inbox }}/prices_{{ ds_nodash }}.csv"
        non_empty     = true
        poke_interval = 5s
        timeout       = 10m
    }

    # remote execution: a shell command; run-time values go through shquote
    task announce : bash {
        command = "echo {{ params.greeting | shquote }} {{ ds | shquote }}"
    }

    # remote execution: SQL, here creating the tables (statements run in order)
    task create_tables : mysql {
        conn = "warehouse"
        sql  = """
            CREATE TABLE IF NOT EXISTS prices (
                ts     TIMESTAMP NOT NULL,
                symbol VARCHAR(16) NOT NULL,
                price  DECIMAL(12, 4) NOT NULL
            );
            CREATE TABLE IF NOT EXISTS daily_summary (
                ds          DATE NOT NULL PRIMARY KEY,
                symbols     INTEGER NOT NULL,
                rows_loaded INTEGER NOT NULL
            )
        """
    }

    # transfer: the CSV into the table; a rerun of the day replaces the day's rows
    task load_prices : file_to_mysql {
        path        = "{{ inbox }}/prices_{{ ds_nodash }}.csv"
        target      = "warehouse"
        table       = "prices"
        mode        = replace_interval
        time_column = "ts"
        retries     = 3             # this task retries once more than the others
    }

    # remote execution: SQL with run-time values rendered as SQL literals
    task summarise : mysql {
        conn = "warehouse"
        sql  = """
            DELETE FROM daily_summary WHERE ds = {{ ds | sql }};
            INSERT INTO daily_summary (ds, symbols, rows_loaded)
            SELECT {{ ds | sql }}, COUNT(DISTINCT symbol), COUNT(*)
              FROM prices
             WHERE ts >= {{ interval_start | sql }} AND ts < {{ interval_end | sql }}
            HAVING COUNT(*) >= {{ params.min_rows | sql }}
        """
    }

    wait_for_prices >> [announce, load_prices]
    create_tables >> load_prices >> summarise
}
