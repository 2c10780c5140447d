"""Seal certificates as data (DocType Seal Certificate): the city's root CA, one certificate per district
department, revocation and the CRL, PKCS#12 import. The Frappe side of `signing.authority`.

Private keys are kept in the record's Password field `private_key`, i.e. encrypted with the site's encryption
key in Frappe's `__Auth` table (the record's own column holds a mask); they are read only here, by the sealing
job (`private_key_of`), and no whitelisted method returns them: `frappe.client.get_password` is refused for
this DocType, Administrator included (hooks.override_whitelisted_methods → `get_password`).
"""

from datetime import datetime, timedelta, timezone

import frappe
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from frappe import _
from frappe.client import get_password as frappe_get_password
from frappe.utils import cint, get_datetime, now_datetime
from frappe.utils.password import get_decrypted_password, set_encrypted_password

from case_selection.access.actors import actor
from case_selection.access.system_write import system_write
from case_selection.checks.text_rules import check_value
from case_selection.signing import authority
from case_selection.signing.pdf import CHINA

DOCTYPE = "Seal Certificate"
ROOT_NAME = "重庆市科技创新案例遴选电子印章根证书"
ROOT_ORG = "重庆市经济和信息化委员会"
ACTIVE, REVOKED = "Active", "Revoked"
ISSUED, IMPORTED = "Issued", "Imported"
KEY_FIELD = "private_key"
KEY_MASK = "*" * 8
CLOCK_SKEW = timedelta(minutes=5)  # a new certificate is valid from a little before it was made
# The departments the notice names: their official names by default (editable on the district).
DEFAULT_NAMES = {
	"District Economy Officer": "重庆市{district}经济和信息化委员会",
	"District Science Officer": "重庆市{district}科学技术局",
	"District Education Officer": "重庆市{district}教育委员会",
}


class CertificateError(frappe.ValidationError):
	"""A certificate that cannot be used or imported (HTTP 417)."""


def _utc(value) -> datetime | None:
	"""Frappe's naive datetimes are China time (the site's time zone)."""
	if not value:
		return None
	return get_datetime(value).replace(tzinfo=CHINA).astimezone(timezone.utc)


def _local(moment: datetime) -> datetime:
	return moment.astimezone(CHINA).replace(tzinfo=None)


# ─────────────────────────── the root ───────────────────────────


def ensure_root() -> str:
	"""The city's root CA, created once (after_install, after_migrate)."""
	name = frappe.db.get_value(
		DOCTYPE, {"is_authority": 1, "status": ACTIVE}, "name", order_by="creation asc"
	)
	if name:
		return name
	key, cert = authority.create_root(ROOT_NAME, ROOT_ORG)
	return _store(key, cert, [], is_authority=1, source=ISSUED).name


def root() -> tuple[authority.PrivateKey, x509.Certificate]:
	name = ensure_root()
	return private_key_of(name), certificate_of(name)


def root_certificate() -> x509.Certificate:
	return certificate_of(ensure_root())


def certificate_of(name: str) -> x509.Certificate:
	return authority.cert_from_pem(frappe.db.get_value(DOCTYPE, name, "certificate").encode())


def chain_of(name: str) -> list[x509.Certificate]:
	pem = frappe.db.get_value(DOCTYPE, name, "chain") or ""
	return x509.load_pem_x509_certificates(pem.encode()) if pem.strip() else []


def private_key_of(name: str) -> authority.PrivateKey:
	"""The key, decrypted with the site's key: for the sealing job only (never returned by a method)."""
	pem = get_decrypted_password(DOCTYPE, name, KEY_FIELD, raise_exception=True)
	return authority.key_from_pem(pem.encode(), b"")


def _store(key, cert, chain, **values):
	doc = frappe.get_doc(
		{
			"doctype": DOCTYPE,
			"subject_name": authority.common_name(cert),
			"certificate": authority.cert_to_pem(cert).decode(),
			"chain": "".join(authority.cert_to_pem(c).decode() for c in chain),
			"serial": format(cert.serial_number, "x"),
			"valid_from": _local(cert.not_valid_before_utc),
			"valid_to": _local(cert.not_valid_after_utc),
			"status": ACTIVE,
			KEY_FIELD: None,
			**values,
		}
	)
	with system_write():
		doc.insert(ignore_permissions=True)
	# The key goes straight into __Auth (Fernet with the site's encryption key); the column holds a mask.
	set_encrypted_password(DOCTYPE, doc.name, _unencrypted_pem(key), KEY_FIELD)
	frappe.db.set_value(DOCTYPE, doc.name, KEY_FIELD, KEY_MASK, update_modified=False)
	return doc


def _unencrypted_pem(key) -> str:

	return key.private_bytes(
		serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
	).decode()


# ─────────────────────────── department certificates ───────────────────────────


def official_name(district: str, role: str, department: str | None = None) -> str:
	"""The department's full official name: the district's table, else the default for the notice's three."""
	row = frappe.db.get_value(
		"District Department Name",
		{"parenttype": "Case District", "parent": district, "role": role},
		"official_name",
	)
	if row and row.strip():
		return row.strip()
	if role in DEFAULT_NAMES:
		return DEFAULT_NAMES[role].format(district=district)
	return f"重庆市{district}{department or role}"


def ensure_district_names(district: str | None = None) -> None:
	"""The default names written onto the districts (after_migrate), so that an admin sees and edits them."""
	for name in [district] if district else frappe.get_all("Case District", pluck="name"):
		doc = frappe.get_doc("Case District", name)
		have = {r.role for r in doc.department_names}
		missing = [role for role in DEFAULT_NAMES if role not in have and frappe.db.exists("Role", role)]
		if not missing:
			continue
		labels = {"District Economy Officer": "经信", "District Science Officer": "科技"}
		for role in missing:
			doc.append(
				"department_names",
				{
					"role": role,
					"department": labels.get(role, "教育"),
					"official_name": DEFAULT_NAMES[role].format(district=name),
				},
			)
		with system_write():
			doc.save(ignore_permissions=True)


def active_for(district: str, role: str) -> str | None:
	return frappe.db.get_value(
		DOCTYPE,
		{"district": district, "role": role, "status": ACTIVE, "is_authority": 0},
		"name",
		order_by="creation desc",
	)


def usable(district: str, role: str) -> str | None:
	"""The department's Active certificate that has not expired. Asked on every co-signing signature, so one
	plain indexed query (the query builder and the DocType's meta would cost a few ms more)."""
	rows = frappe.db.sql(
		"""select name, valid_to from `tabSeal Certificate`
		where district = %s and role = %s and status = %s and is_authority = 0
		order by creation desc limit 1""",
		(district, role, ACTIVE),
	)
	return rows[0][0] if rows and get_datetime(rows[0][1]) > now_datetime() else None


def revoked_last(district: str, role: str) -> bool:
	"""The department's newest certificate was revoked (and nothing has been issued or imported since)."""
	latest = frappe.db.get_value(
		DOCTYPE, {"district": district, "role": role, "is_authority": 0}, "status", order_by="creation desc"
	)
	return latest == REVOKED


def certificate_for(district: str, role: str, department: str | None = None) -> str:
	"""The department's Active certificate: issued by the city's root on first need and when the last one has
	expired — never after a revocation: then an admin issues the next one (`issue`) or imports one
	(`import_pkcs12`), and until then the department neither seals nor, where the round requires a seal,
	co-signs."""
	name = usable(district, role)
	if name:
		return name
	if revoked_last(district, role):
		frappe.throw(
			_(
				"{0}的电子印章证书已吊销：须由市级管理部门签发新证书或导入证书后，才能签署会签意见和电子签章。"
			).format(official_name(district, role, department)),
			CertificateError,
		)
	return _issue(district, role, department)


def _issue(district: str, role: str, department: str | None = None) -> str:
	root_key, root_cert = root()
	subject = official_name(district, role, department)
	start = datetime.now(timezone.utc).replace(microsecond=0) - CLOCK_SKEW
	try:
		key, cert = authority.issue(root_key, root_cert, subject, subject, not_before=start)
	except ValueError as e:  # a name the certificate cannot carry: the signer is told why (417), not a 500
		frappe.throw(str(e), CertificateError)
	return _store(
		key, cert, [root_cert], district=district, role=role, department=department, source=ISSUED
	).name


def signer_of(name: str) -> tuple[authority.PrivateKey, x509.Certificate, list[x509.Certificate]]:
	if frappe.db.get_value(DOCTYPE, name, "status") != ACTIVE:
		frappe.throw(_("印章证书 {0} 已吊销，不能再签章。").format(name), CertificateError)
	chain = chain_of(name) or [root_certificate()]
	return private_key_of(name), certificate_of(name), chain


# ─────────────────────────── trust: roots and the CRL ───────────────────────────


def trust_roots() -> list[x509.Certificate]:
	"""The city's root and the CA certificates an admin imported with an accredited CA's seal."""
	roots = [root_certificate()]
	for name in frappe.get_all(DOCTYPE, filters={"source": IMPORTED}, pluck="name"):
		roots += [c for c in chain_of(name) if c not in roots]
	return roots


def crl() -> bytes:
	"""The root's CRL, made now from the Revoked certificates it issued."""
	root_key, root_cert = root()
	revoked = [
		(int(r.serial, 16), _utc(r.revoked_at))
		for r in frappe.get_all(
			DOCTYPE,
			filters={"status": REVOKED, "source": ISSUED, "is_authority": 0},
			fields=["serial", "revoked_at"],
		)
	]
	now = datetime.now(timezone.utc).replace(microsecond=0)
	return authority.crl(root_key, root_cert, revoked, now, now + timedelta(days=1))


# ─────────────────────────── methods ───────────────────────────


def require_admin():
	a = actor()
	if not a.manages_city:
		frappe.throw(_("只有系统管理员或市级管理部门可以管理印章证书。"), frappe.PermissionError)


@frappe.whitelist(methods=["POST"])
def revoke(name: str, reason: str) -> dict:
	"""Revoke a seal certificate: it never signs again; signatures made with it verify as revoked after now."""
	require_admin()
	if not isinstance(name, str) or not frappe.db.exists(DOCTYPE, name):
		raise frappe.DoesNotExistError(_("印章证书 {0} 不存在。").format(str(name)[:140]))
	if not isinstance(reason, str) or not reason.strip() or len(reason) > 500:
		frappe.throw(_("「吊销原因」不能为空，且不超过 500 字。"), CertificateError)

	check_value(_("「吊销原因」"), reason)
	doc = frappe.get_doc(DOCTYPE, name, for_update=True)
	if cint(doc.is_authority):
		frappe.throw(_("根证书不能在这里吊销。"), CertificateError)
	if doc.status == REVOKED:
		frappe.throw(_("印章证书 {0} 已于 {1} 吊销。").format(name, doc.revoked_at), CertificateError)
	with system_write():
		doc.db_set(
			{
				"status": REVOKED,
				"revoked_at": now_datetime().replace(microsecond=0),
				"revoked_by": frappe.session.user,
				"revocation_reason": reason.strip(),
			}
		)
	return {"name": name, "status": REVOKED, "revoked_at": str(doc.revoked_at)}


def _round_department(role: str) -> str | None:
	"""The co-signing department a role signs for, in the newest round that names it."""
	return next(
		(
			d.department
			for r in frappe.get_all("Selection Round", pluck="name", order_by="year desc")
			for d in frappe.get_cached_doc("Selection Round", r).cosign_departments
			if d.role == role
		),
		None,
	)


def _check_department(district, role) -> None:
	for label, value in (("区县", district), ("会签部门角色", role)):
		if not isinstance(value, str) or not value.strip() or len(value) > 140:
			frappe.throw(_("「{0}」不能为空。").format(label), CertificateError)
	if not frappe.db.exists("Case District", district):
		frappe.throw(_("「区县」{0} 不存在。").format(district), CertificateError)
	if not frappe.db.exists("Role", role):
		frappe.throw(_("「会签部门角色」{0} 不存在。").format(role), CertificateError)


@frappe.whitelist(methods=["POST"])
def issue(district: str, role: str) -> dict:
	"""签发新证书: a new certificate from the city's root for a department whose last one was revoked (or that
	has none). Refused while the department holds a valid one (revoke it first)."""
	require_admin()
	_check_department(district, role)
	current = usable(district, role)
	if current:
		frappe.throw(
			_("该部门已有有效的印章证书 {0}；如需更换，请先吊销。").format(current), CertificateError
		)
	name = _issue(district, role, _round_department(role))
	return {"name": name, "subject": frappe.db.get_value(DOCTYPE, name, "subject_name")}


@frappe.whitelist(methods=["POST"])
def import_pkcs12(district: str, role: str, file: str, password: str) -> dict:
	"""An accredited CA's seal (a .p12/.pfx file the admin uploaded as a private File, and its password)
	replaces the app-issued certificate of (district, department role). The uploaded file is deleted once the
	key is stored encrypted."""
	require_admin()
	_check_department(district, role)
	if not isinstance(file, str) or not file.strip() or len(file) > 500:
		frappe.throw(_("「证书文件」不能为空。"), CertificateError)
	if not isinstance(password, str) or not password:
		frappe.throw(_("「证书密码」不能为空。"), CertificateError)
	file_name = frappe.db.get_value(
		"File", {"file_url": file.split("?", 1)[0]} if file.startswith("/") else {"name": file}, "name"
	)
	if not file_name:
		frappe.throw(_("「证书文件」找不到，请先上传。"), CertificateError)
	f = frappe.get_doc("File", file_name)
	if not cint(f.is_private) or not (f.owner == frappe.session.user or actor().admin):
		frappe.throw(_("「证书文件」须为您本人上传的私有文件。"), CertificateError)
	try:
		key, cert, chain = authority.load_pkcs12(f.get_content(), password.encode())
	except ValueError as e:
		frappe.throw(_(str(e)), CertificateError)
	if not cert.not_valid_before_utc <= datetime.now(timezone.utc) < cert.not_valid_after_utc:
		frappe.throw(_("「证书文件」中的证书不在有效期内。"), CertificateError)
	department = _round_department(role)
	old = active_for(district, role)
	doc = _store(key, cert, chain, district=district, role=role, department=department, source=IMPORTED)
	if old:
		with system_write():
			frappe.db.set_value(
				DOCTYPE,
				old,
				{
					"status": REVOKED,
					"revoked_at": now_datetime().replace(microsecond=0),
					"revoked_by": frappe.session.user,
					"revocation_reason": _("由导入的证书 {0} 取代").format(doc.name),
				},
			)
	# The key file is not kept: every record of it the uploader left unattached (an upload of the same file
	# shares its stored path) goes with it.
	with system_write():
		for other in frappe.get_all(
			"File",
			filters={"file_url": f.file_url, "attached_to_doctype": ("is", "not set")},
			pluck="name",
		):
			frappe.delete_doc("File", other, ignore_permissions=True)
	return {"name": doc.name, "subject": doc.subject_name, "replaced": old}


@frappe.whitelist()
def root_certificate_pem() -> None:
	"""The city's root certificate (PEM), for any signed-in user: install it in Adobe Reader or Windows, or
	give it to pyHanko, to validate the sealed PDFs without this site."""
	if frappe.session.user == "Guest":
		frappe.throw(_("请先登录。"), frappe.PermissionError)
	frappe.response.filename = "case_selection_root_ca.pem"
	frappe.response.filecontent = authority.cert_to_pem(root_certificate())
	frappe.response.type = "download"


@frappe.whitelist()
def get_password(doctype: str, name: str, fieldname: str):
	"""frappe.client.get_password, except for seal certificates: their keys are returned to nobody. A DocType is
	named exactly (MariaDB would match 「seal certificate」 too; Frappe's own method then fails with a 500)."""
	if not isinstance(doctype, str) or doctype.casefold() == DOCTYPE.casefold():
		frappe.throw(_("印章证书的私钥不对任何人返回。"), frappe.PermissionError)
	if frappe.db.get_value("DocType", doctype, "name") != doctype:
		raise frappe.DoesNotExistError(_("「{0}」不存在。").format(doctype[:140]))

	return frappe_get_password(doctype, name, fieldname)
