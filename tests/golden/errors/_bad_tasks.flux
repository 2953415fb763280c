task a : bash { command = "true" }
task b : sqlit {
    conn = "local"
    sql = "SELECT 1"
}
