"""Domain errors. Each carries a Chinese message naming the field at fault (raised with frappe.throw)."""

import frappe


class RoundConfigError(frappe.ValidationError):
	pass


class ApplicationValidationError(frappe.ValidationError):
	pass


class DeadlinePassedError(frappe.ValidationError):
	pass


class QuotaExceededError(frappe.ValidationError):
	pass


class DuplicateApplicationError(frappe.ValidationError):
	pass


class CosignError(frappe.ValidationError):
	pass


class RecommendationListError(frappe.ValidationError):
	pass


class ReviewError(frappe.ValidationError):
	pass


class PublicNoticeError(frappe.ValidationError):
	pass


class StorageFullError(frappe.ValidationError):
	"""The server's disk is full: an upload or a generated file could not be written (417, nothing saved)."""
