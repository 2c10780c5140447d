"""Recording a department's co-signing opinion (会签意见) on a Case Application or a district list.

The departments of one district sign independently and often at the same moment. Each signature reads the
signed document with a locking read (SELECT … FOR UPDATE), so concurrent signatures queue for a few
milliseconds instead of overwriting each other (no lost update, no "document has been modified" error shown
to anyone); the last one in sees every opinion and lets the rule decide.
"""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import cint, now_datetime

from case_selection.access.actors import actor, round_cosign
from case_selection.access.system_write import insert_row, system_write
from case_selection.access.write_policy import check_attachment
from case_selection.checks.text_rules import check_value
from case_selection.cosign import rules
from case_selection.exceptions import CosignError
from case_selection.notifications import events
from case_selection.signing import certificates, sealed_form
from case_selection.workflow.action_log import log_action

OPINIONS = (rules.AGREE, rules.DISAGREE, rules.RETURN)


def department_for_user(departments, district: str, department: str | None = None):
	"""The round's co-signing department (of `departments`, actors.round_departments) the current user signs
	for, in this district."""
	a = actor()
	mine = [d for d in departments if d.role in a.roles] if a.is_officer(district) else []
	if department:
		mine = [d for d in mine if d.department == department]
	if not mine:
		frappe.throw(
			_("您不是本轮的会签部门（{0}），不能签署会签意见。").format(
				"、".join(d.department for d in departments)
			),
			frappe.PermissionError,
		)
	if len(mine) > 1:
		frappe.throw(_("您同时属于多个会签部门，请在「会签部门」中选择一个。"), CosignError)
	return mine[0]


def load_locked(doctype: str, name: str):
	"""The document, its row locked until the signature commits. A case is loaded without its child tables:
	signing neither reads nor writes them (its moves go through CaseApplication.advance, which leaves the rows
	alone)."""
	if doctype != "Case Application":
		doc = frappe.get_doc(doctype, name, for_update=True)
	else:
		# A plain locking read of the row (frappe.db.get_value with "*" builds the same query through the query
		# builder, at twice the cost), with whether the case has its Case Evaluation yet: a move asks that after
		# writing the row (sealing.keep_real), and a signature moves the case twice in three.
		rows = frappe.db.sql(
			"""select ca.*, exists(select 1 from `tabCase Evaluation` ev where ev.name = ca.name) as _has_evaluation
			from `tabCase Application` ca where ca.name = %s for update""",
			(name,),
			as_dict=True,
		)
		row = rows[0] if rows else None
		if not row:
			raise frappe.DoesNotExistError(_("「{0}」{1} 不存在。").format(_(doctype), name))
		has_evaluation = bool(row.pop("_has_evaluation"))
		doc = frappe.get_doc({"doctype": doctype, **row})
		doc.flags.case_evaluation_stored = has_evaluation
	# What was just read under the lock is what is stored: the permission check need not read it again.
	doc.flags.case_stored_current = True
	return doc


def opinions_of(doctype: str, name: str) -> dict:
	"""Department → its opinion row (name, opinion, remarks, seal, signer). Read under the document's row lock,
	so it sees every signature committed before ours and none can come in between (no lock on the opinion rows
	themselves: the document's lock serialises its signers, and gap locks on the opinion table made signers of
	different cases deadlock)."""
	rows = frappe.db.sql(
		"""select name, department, opinion, remarks, seal, signer from `tabCase Cosign Opinion`
		where reference_doctype = %s and reference_name = %s""",
		(doctype, name),
		as_dict=True,
	)
	return {r.department: r for r in rows}


def is_repeat(row, user: str, opinion: str, remarks: str | None, seal: str | None) -> bool:
	"""This user's department already holds exactly this signature, signed by this user."""
	return (
		row.signer == user
		and row.opinion == opinion
		and (row.remarks or "") == (remarks or "")
		and (row.seal or None) == (seal or None)
	)


def clear_opinions(doctype: str, name: str):
	frappe.db.delete("Case Cosign Opinion", {"reference_doctype": doctype, "reference_name": name})


def commit_into_read_committed():
	"""frappe.db.commit(), with the next transaction READ COMMITTED: its callbacks run as Frappe runs them, and the
	isolation is set between the COMMIT and the START TRANSACTION (it can only be set before a transaction
	starts; frappe.db.commit() would open the next one at once, and a second COMMIT cost two more statements)."""
	db = frappe.db
	db.before_rollback.reset()
	db.after_rollback.reset()
	db.before_commit.run()
	db.sql("commit")
	db.sql("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
	db.begin()
	db.after_commit.run()


def record_opinion(
	doctype: str,
	name: str,
	opinion: str,
	remarks: str = "",
	seal: str | None = None,
	department: str | None = None,
) -> tuple[str, Document]:
	"""Signs for the current user's department; returns the document's co-signing outcome and the document
	as it now stands."""
	if opinion not in OPINIONS:
		frappe.throw(
			_("「意见」须为 {0} 之一（收到「{1}」）。").format("、".join(OPINIONS), opinion), CosignError
		)
	if not isinstance(remarks, str | None):
		frappe.throw(_("「意见说明」只能是文字。"), CosignError)
	if remarks:  # (an empty remark is nothing to check: not even the label's translation is loaded)
		check_value(_("「意见说明」"), remarks)
	if opinion != rules.AGREE and not (remarks or "").strip():
		frappe.throw(_("「意见说明」不能为空：选择「{0}」时须写明理由。").format(opinion), CosignError)

	# End the request's transaction before taking the lock (nothing has been written yet, so this commits
	# nothing) and run the signature as one READ COMMITTED transaction: every read below, Frappe's own
	# included (the save's doc-before-save, the workflow check), sees the signatures committed while we
	# waited for the lock, and without gap locks signers of different cases (41 districts at once on deadline
	# day) do not deadlock on the tables every signature writes to.
	commit_into_read_committed()
	doc = load_locked(doctype, name)
	doc.check_permission("read")
	round_facts = round_cosign(doc.round)
	dept = department_for_user(round_facts.departments, doc.district, department)
	user = frappe.session.user
	signed = opinions_of(doctype, name)
	mine = signed.get(dept.department)
	if mine and is_repeat(mine, user, opinion, remarks, seal):
		# The same signature again: a client retrying a request whose answer it never got (a worker killed, a
		# connection cut after the commit). It was recorded once and is not signed twice; the answer is what
		# the first one did, even if the document has moved on since.
		return doc.cosign_status or rules.PENDING, doc
	doc.assert_cosign_open()
	if round_facts.seal_required:
		# the notice: each department signs its opinion and affixes its seal. Refused (417) while the
		# department's certificate is revoked; issued by the city's root on its first signature.
		certificates.certificate_for(doc.district, dept.role, dept.department)

	existing = mine.name if mine else None
	values = {
		"opinion": opinion,
		"remarks": remarks or "",
		"seal": seal,
		"signer": user,
		"signer_name": frappe.utils.get_fullname(user),
		"signed_at": now_datetime(),
	}
	if seal:
		check_attachment(doc, _("「公章图片」"), seal)
	opinions = {d: row.opinion for d, row in signed.items()} | {dept.department: opinion}
	outcome = rules.outcome([d.department for d in round_facts.departments], opinions)
	with events.signature(doc):
		# Opinions are written by this function only, after the checks above (system_write: the write policy
		# lets nobody write them through a door). A first signature is a new row with every value given here,
		# and is inserted as it is, like the 签核历程 row below (the save would only add its hooks' work).
		if existing:
			opinion_doc = frappe.get_doc("Case Cosign Opinion", existing)
			opinion_doc.update(values)
			with system_write():
				opinion_doc.save(ignore_permissions=True)
		else:
			insert_row(
				frappe.get_doc(
					{
						"doctype": "Case Cosign Opinion",
						"reference_doctype": doctype,
						"reference_name": name,
						"district": doc.district,
						"round": doc.round,  # the list of opinions opens on the current round
						"department": dept.department,
						"role": dept.role,
						**values,
					}
				)
			)
		# Logged as a key and its values, shown in words by action_log.display_row (translated when shown).
		log_action(doc, "Co-signed by {0}: {1}", remark=remarks, args=(dept.department, opinion))
		to_seal = doctype == "Case Application" and outcome == rules.AGREED
		if to_seal:
			sealed_form.mark(doc)  # stored by the move below
		doc.apply_cosign_outcome(outcome)
	# A move that opened co-signing anew cleared the signatures (CaseApplication.record_state_change).
	events.signed(doc, None if doc.flags.case_opinions_cleared else opinions)
	if to_seal:
		sealed_form.enqueue(doc.name)  # only queued: the sealed 附件1 is made on RQ, never in this request
	return outcome, doc
