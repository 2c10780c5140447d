"""An RQ worker of one app host of the two-host rehearsal (`make two-host`): it reads only the rehearsal site's
queues and names itself after its host, so the job record says which host ran a job.

    worker.py SITE LABEL      # from a bench's sites folder; the worker is named LABEL.<pid>

`bench worker` reads the queues of the bench's common config (its bench_id), which every site of the bench
without a bench_id of its own shares: a worker of the rehearsal would take the demo's and the tests' jobs. The
rehearsal's site has a bench_id of its own (`bench_id` in its site config; Frappe names a queue
"<bench_id>:<queue>"), and this worker reads exactly those queues: short, default, long and any custom queue of
the config. The jobs themselves run as under `bench worker` (Frappe's execute_job opens the job's site).
"""

import os
import sys

import frappe
from frappe.utils.background_jobs import get_queue_list, get_redis_conn
from rq import Worker

site, label = sys.argv[1], sys.argv[2]
frappe.init(site=site, sites_path=".")
connection = get_redis_conn()
queues = get_queue_list(None, build_queue_name=True)
frappe.destroy()
print(f"{label}: RQ worker {label}.{os.getpid()} on {', '.join(queues)}", flush=True)
Worker(queues, connection=connection, name=f"{label}.{os.getpid()}").work(
	logging_level="INFO", date_format="%Y-%m-%d %H:%M:%S", log_format="%(asctime)s,%(msecs)03d %(message)s"
)
