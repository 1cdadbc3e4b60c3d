"""The factcheck dashboard, for `streamlit run dashboards/app.py -- --db out/factcheck.duckdb`.

`factcheck dashboard` starts the same app (shipped in the package as `factcheck.dashboard.app`)
bound to 127.0.0.1 with telemetry off; this file is for working on it from a checkout.
"""

from factcheck.dashboard.app import main

main()
