"""The names the app's code shares, defined once: its DocTypes and the groups hooks.py and the access rules are
built from, and the few values of stored fields the code must know.

Every DocType of the app is in exactly the groups `tests/test_structure.py` expects: a parent is governed by the
write policy (POLICY_DOCTYPES) and, when its rows are somebody's, has row rules (ROW_RULE_DOCTYPES, a part of
it); a child table is either a document's (CHILD_TABLES: read through its parent's row rules) or a setting's
(SETTING_TABLES: rows of the round, the settings and the districts, which everyone may read).
"""

APPLICATION = "Case Application"
LIST = "District Recommendation List"
OPINION = "Case Cosign Opinion"
ACTION_LOG = "Case Action Log"
REVIEW = "Case Review"
OBJECTION = "Case Objection"
COLLECTION = "Case Collection"
DEADLINE = "District Deadline"
EVALUATION = "Case Evaluation"
CERTIFICATE = "Seal Certificate"
EXPERT = "Review Expert"
FINGERPRINT = "Case Fingerprint"
SIMILARITY = "Case Similarity"
PAPER_COPY = "Paper Copy"
ROUND = "Selection Round"
DISTRICT = "Case District"
DIRECTION = "Selection Direction"
DOMAIN = "Selection Domain"
SETTINGS = "Case Selection Settings"
EXPORT_JOB = "Case Export Job"

# Documents co-signed by the districts' departments (附件1 and 附件2).
COSIGNABLE = (APPLICATION, LIST)

# Only city roles and administrators read these (the district, the applicant and the expert never).
CITY_ONLY_DOCTYPES = (
	OBJECTION,
	COLLECTION,
	EVALUATION,
	CERTIFICATE,
	EXPERT,
	FINGERPRINT,
	SIMILARITY,
	PAPER_COPY,
)

# Whose rows are somebody's: each has a query condition, a has_permission rule and a standard link query.
ROW_RULE_DOCTYPES = (
	APPLICATION,
	LIST,
	OPINION,
	ACTION_LOG,
	REVIEW,
	DEADLINE,
	*CITY_ONLY_DOCTYPES,
)

# Every parent DocType of the app: each write is judged by the write policy (access/write_policy.POLICY).
POLICY_DOCTYPES = (
	*ROW_RULE_DOCTYPES,
	ROUND,
	DISTRICT,
	DIRECTION,
	DOMAIN,
	SETTINGS,
	EXPORT_JOB,
)

# Child tables of the documents above: a row is read and written only through its parent.
CHILD_TABLES = (
	"Case Partner Unit",
	"Case Finance Year",
	"Case Result Indicator",
	"Case Evidence",
	"Recommendation List Item",
	"Case Review Score",
	"Case Collection Item",
	"Review Expert Past Unit",
	"Review Expert Direction",
	"Case Fingerprint Band",
)

# Child tables of the settings (the round, the settings, the districts): written only through their parent.
SETTING_TABLES = (
	"Round Contact",
	"Round District Setting",
	"Round Cosign Department",
	"Round Review Criterion",
	"Round Declaration",
	"Round Output Column",  # the round's columns of 附件2, the city summary and the casebook (export/columns.py)
	"Round Direction",
	"Case City Role",
	"Case State Setting",
	"List State Setting",  # what each state of the district list's workflow means (workflow/states.py)
	"District Department Name",  # Case District's official department names (seal certificates' subjects)
)

# Selection Round.status: the one value the code acts on (results open to all, decisions final).
PUBLISHED = "Published"

# What a state of the Case Application workflow may mean (Case Selection Settings → 状态分类, workflow/states.py).
STATE_FLAGS = ("applicant_editable", "cosign_open", "city_visible", "review_open", "public_notice", "sealed")
# What a state of the district list's workflow may mean (Case Selection Settings → 推荐名单状态分类).
LIST_STATE_FLAGS = ("district_editable", "cosign_open", "deletable", "city_visible", "awaiting_city")

# 四、申报承诺 of 附件1: the Check fields of the conditions of notice 二(一)(三), in its order — the defaults of a
# round's 申报承诺事项 (Selection Round.declarations), which decide what is required and printed.
DECLARATIONS = (
	"decl_legal_person",
	"decl_finance",
	"decl_no_bad_record",
	"decl_truthful",
	"decl_political",
	"decl_no_secret",
	"decl_ip_clear",
)
