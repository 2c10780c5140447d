"""A small certificate authority for seal certificates, and the key/certificate file formats around it.

The app's own root issues one *seal certificate* per department (subject CN = the department's full official
name); an accredited CA's certificate and key can be imported instead from a PKCS#12 file (`load_pkcs12`).
Keys are EC P-256 (pyHanko signs ECDSA-SHA256 with them; its visible-signature path does not care about the
key type). No certificate carries a CRL distribution point or an OCSP address: revocation is checked only
against the CRLs handed to the validator, never fetched.
"""

from datetime import datetime, timedelta, timezone

from asn1crypto import pkcs12 as asn1_pkcs12
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

# id-kp-documentSigning (RFC 9336). pyHanko requires no extended key usage (its default constraint is
# keyUsage nonRepudiation only); documentSigning and emailProtection tell other readers (Adobe accepts the
# latter) what the certificate is for.
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


from case_selection.checks.words import _


def _now() -> datetime:
	return datetime.now(timezone.utc).replace(microsecond=0)


CN_MAX = 64  # RFC 5280 ub-common-name: characters of the CN's UTF8String


def _name(common_name: str, organisation: str, field: str) -> x509.Name:
	# cryptography encodes CN and O as UTF8String. It bounds the CN at 64 UTF-8 *bytes*, which 22 Chinese
	# characters already pass (重庆市秀山土家族苗族自治县经济和信息化委员会, 66 bytes: four districts' economy
	# departments could not get a certificate, and so not co-sign); RFC 5280's bound counts characters, and is
	# checked here instead of cryptography's.
	if len(common_name) > CN_MAX:
		raise ValueError(_("「{0}」不能超过 {1} 个字").format(field, CN_MAX))
	return x509.Name(
		[
			x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
			x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
			x509.NameAttribute(NameOID.COMMON_NAME, common_name, _validate=False),
		]
	)


def _new_key() -> ec.EllipticCurvePrivateKey:
	return ec.generate_private_key(ec.SECP256R1())


def _require(value: str, field: str) -> str:
	if not isinstance(value, str) or not value.strip():
		raise ValueError(_("「{0}」不能为空").format(field))
	return value.strip()


def create_root(
	common_name: str, organisation: str, valid_years: int = 20, not_before: datetime | None = None
) -> tuple[PrivateKey, x509.Certificate]:
	"""A self-signed root CA (EC P-256) that issues seal certificates and signs CRLs."""
	common_name = _require(common_name, "根证书名称")
	organisation = _require(organisation, "单位名称")
	key = _new_key()
	start = not_before or _now()
	name = _name(common_name, organisation, "根证书名称")
	ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
	cert = (
		x509.CertificateBuilder()
		.subject_name(name)
		.issuer_name(name)
		.public_key(key.public_key())
		.serial_number(x509.random_serial_number())
		.not_valid_before(start)
		.not_valid_after(start + timedelta(days=365 * valid_years))
		.add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
		.add_extension(
			x509.KeyUsage(
				digital_signature=False,
				content_commitment=False,
				key_encipherment=False,
				data_encipherment=False,
				key_agreement=False,
				key_cert_sign=True,
				crl_sign=True,
				encipher_only=False,
				decipher_only=False,
			),
			critical=True,
		)
		.add_extension(ski, critical=False)
		.sign(key, hashes.SHA256())
	)
	return key, cert


def issue(
	root_key: PrivateKey,
	root_cert: x509.Certificate,
	subject_cn: str,
	organisation: str,
	serial: int | None = None,
	valid_years: int = 5,
	not_before: datetime | None = None,
) -> tuple[PrivateKey, x509.Certificate]:
	"""An end-entity seal certificate for one department, signed by the root."""
	subject_cn = _require(subject_cn, "印章名称")
	organisation = _require(organisation, "单位名称")
	key = _new_key()
	start = not_before or _now()
	end = min(start + timedelta(days=365 * valid_years), root_cert.not_valid_after_utc)
	root_ski = root_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
	cert = (
		x509.CertificateBuilder()
		.subject_name(_name(subject_cn, organisation, "印章名称"))
		.issuer_name(root_cert.subject)
		.public_key(key.public_key())
		.serial_number(serial if serial is not None else x509.random_serial_number())
		.not_valid_before(start)
		.not_valid_after(end)
		.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
		.add_extension(
			x509.KeyUsage(
				digital_signature=True,
				content_commitment=True,
				key_encipherment=False,
				data_encipherment=False,
				key_agreement=False,
				key_cert_sign=False,
				crl_sign=False,
				encipher_only=False,
				decipher_only=False,
			),
			critical=True,
		)
		.add_extension(
			x509.ExtendedKeyUsage([DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
		)
		.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
		.add_extension(
			x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(root_ski), critical=False
		)
		.sign(root_key, hashes.SHA256())
	)
	return key, cert


def crl(
	root_key: PrivateKey,
	root_cert: x509.Certificate,
	revoked: list[tuple[int, datetime]],
	this_update: datetime,
	next_update: datetime,
	number: int = 1,
) -> bytes:
	"""A DER CRL of the root listing `revoked` (serial, revocation time)."""
	if next_update <= this_update:
		raise ValueError(_("「下次更新时间」必须晚于「本次更新时间」"))
	root_ski = root_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
	builder = (
		x509.CertificateRevocationListBuilder()
		.issuer_name(root_cert.subject)
		.last_update(this_update)
		.next_update(next_update)
		.add_extension(
			x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(root_ski), critical=False
		)
		.add_extension(x509.CRLNumber(number), critical=False)
	)
	for serial, revoked_at in revoked:
		builder = builder.add_revoked_certificate(
			x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(revoked_at).build()
		)
	return builder.sign(root_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def key_to_pem(key: PrivateKey, passphrase: bytes) -> bytes:
	"""PKCS#8 PEM, encrypted with the best encryption available."""
	if not passphrase:
		raise ValueError(_("「私钥密码」不能为空"))
	return key.private_bytes(
		serialization.Encoding.PEM,
		serialization.PrivateFormat.PKCS8,
		serialization.BestAvailableEncryption(passphrase),
	)


def key_from_pem(pem: bytes, passphrase: bytes) -> PrivateKey:
	try:
		return serialization.load_pem_private_key(pem, password=passphrase or None)
	except (ValueError, TypeError) as e:
		raise ValueError(_("「私钥密码」不正确，或「私钥文件」不是加密的 PEM 私钥")) from e


def cert_to_pem(cert: x509.Certificate) -> bytes:
	return cert.public_bytes(serialization.Encoding.PEM)


def cert_from_pem(pem: bytes) -> x509.Certificate:
	try:
		return x509.load_pem_x509_certificate(pem)
	except ValueError as e:
		raise ValueError(_("「证书文件」不是 PEM 格式的 X.509 证书")) from e


def _is_pfx(data: bytes) -> bool:
	"""Whether `data` parses as a PKCS#12 PFX structure (independent of the password)."""

	try:
		pfx = asn1_pkcs12.Pfx.load(data, strict=True)
		return pfx["version"].native == "v3" and pfx["auth_safe"]["content_type"].native in (
			"data",
			"signed_data",
		)
	except (ValueError, TypeError, KeyError):
		return False


def load_pkcs12(data: bytes, password: bytes) -> tuple[PrivateKey, x509.Certificate, list[x509.Certificate]]:
	"""Key, certificate and CA chain from a .p12/.pfx file (e.g. issued by an accredited CA)."""
	if not data or not _is_pfx(data):
		raise ValueError(_("「证书文件」不是 PKCS#12（.p12/.pfx）格式的证书文件"))
	try:
		key, cert, chain = pkcs12.load_key_and_certificates(data, password or None)
	except (ValueError, TypeError) as e:
		raise ValueError(_("「证书密码」不正确，无法打开证书文件")) from e
	if key is None or cert is None:
		raise ValueError(_("「证书文件」中没有私钥或证书"))
	if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
		raise ValueError(_("「证书文件」中的私钥类型不受支持（仅支持 RSA 或 EC）"))
	return key, cert, list(chain or [])


def to_pkcs12(
	key: PrivateKey,
	cert: x509.Certificate,
	chain: list[x509.Certificate],
	password: bytes,
	friendly_name: str | None = None,
) -> bytes:
	"""A password-protected PKCS#12 file holding the key, its certificate and the CA chain."""
	if not password:
		raise ValueError(_("「证书密码」不能为空"))
	name = (friendly_name or cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value).encode()
	return pkcs12.serialize_key_and_certificates(
		name, key, cert, chain or None, serialization.BestAvailableEncryption(password)
	)


def common_name(cert: x509.Certificate) -> str:
	attrs = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
	return str(attrs[0].value) if attrs else ""
