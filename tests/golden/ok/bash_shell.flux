pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    task a : bash {
        command = "set -o pipefail; false | true"
    }
    task b : bash {
        command = "set -o pipefail; false | true"
        shell = bash
    }
    task c : bash {
        command = "false | true"
        shell = sh
    }
}
