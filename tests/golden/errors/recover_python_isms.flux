pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    catchup = True
    task a : BashOperator { command = 'echo hi' }
    task b : PythonOperator { command = "python3 -c 'print(1)'" }
    task c : bash {
        command = "true"
        retries = None
        env = { DEBUG = False }
    }
    a -> b
    task d : mysql { conn = 'warehouse', sql = "SELECT 1" }
}
