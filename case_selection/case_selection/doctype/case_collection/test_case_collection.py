# Copyright (c) 2026, case_selection contributors
# License: MIT. See LICENSE

from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase

from case_selection.export import casebook
from case_selection.jobs import service
from case_selection.tests import output_data as od

CASES = (  # title, district, direction code
	("案例集-人才流动-万州", "万州区", "4.2"),
	("案例集-关键技术-渝中", "渝中区", "1.1"),
	("案例集-关键技术-万州", "万州区", "1.1"),
	("案例集-<b>转化</b>-渝中", "渝中区", "3.2"),
)


class TestCaseCollection(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.apps = {}
		for i, (title, district, code) in enumerate(CASES):
			app = od.make_output_application(title, district=district, code=code, seed=300 + i)
			od.set_state(app.name, "Selected")
			cls.apps[title] = app
		cls.not_selected = od.make_output_application("案例集-未入选", district="渝中区", seed=399)
		od.set_state(cls.not_selected.name, "Not Selected")

	def make_collection(self):
		return frappe.get_doc(
			{
				"doctype": "Case Collection",
				"round": od.ROUND,
				"title": "重庆市科技创新和产业创新深度融合优秀案例集",
			}
		).insert()

	def test_selected_cases_ordered_by_direction_then_district(self):
		doc = self.make_collection()
		doc.load_selected_cases()
		titles = [r.case_title for r in doc.cases if r.application in {a.name for a in self.apps.values()}]
		self.assertEqual(
			titles,
			[
				"案例集-关键技术-万州",
				"案例集-关键技术-渝中",
				"案例集-<b>转化</b>-渝中",
				"案例集-人才流动-万州",
			],
		)
		self.assertNotIn(self.not_selected.name, [r.application for r in doc.cases])

	def test_rows_added_in_any_order_are_saved_in_casebook_order(self):
		doc = self.make_collection()
		for title in ("案例集-人才流动-万州", "案例集-关键技术-渝中", "案例集-关键技术-万州"):
			doc.append("cases", {"application": self.apps[title].name})
		doc.save()
		self.assertEqual(
			[r.case_title for r in doc.cases],
			["案例集-关键技术-万州", "案例集-关键技术-渝中", "案例集-人才流动-万州"],
		)
		self.assertEqual([r.idx for r in doc.cases], [1, 2, 3])

	def test_generate_pdf_with_cover_toc_chapters_and_page_numbers(self):
		doc = self.make_collection()
		doc.append("cases", {"application": self.apps["案例集-关键技术-渝中"].name})
		doc.append("cases", {"application": self.apps["案例集-<b>转化</b>-渝中"].name})
		doc.append("cases", {"application": self.apps["案例集-人才流动-万州"].name})
		doc.save()
		pdf = casebook.generate(doc)
		pages = od.pdf_pages(pdf)
		doc.reload()
		self.assertEqual(doc.status, "Generated")
		self.assertTrue(doc.generated_file.startswith("/private/files/"))
		self.assertEqual(doc.page_count, len([p for p in pages if p.strip()]))

		front = [i for i, p in enumerate(pages) if "目录" in "".join(p.split())]
		self.assertTrue(front, "no table of contents")
		self.assertIn("重庆市科技创新和产业创新深度融合优秀案例集", pages[0].replace("\n", ""))
		toc = pages[front[0]]
		starts = [r.start_page for r in doc.cases]
		self.assertEqual(starts[0], 1)
		self.assertEqual(starts, sorted(starts))
		body_offset = front[-1] + 1
		for row in doc.cases:
			title = frappe.db.get_value("Case Application", row.application, "case_title")
			self.assertIn(title, toc.replace("\n", ""))
			# The chapter really starts on the page the TOC gives, and that page carries that number.
			page = pages[body_offset + row.start_page - 1]
			self.assertIn(title, page.replace("\n", ""))
			self.assertIn(f"— {row.start_page} —", page)
		self.assertIn("<b>转化</b>", "".join(pages))
		self.assertNotIn("—", pages[0])

	def test_chapters_rendered_in_parallel_parts_give_the_same_book(self):
		"""A big casebook's chapters are rendered in parts side by side (one per CPU): joined, they must give
		the book one render gives, page for page, with the same start pages and numbers."""
		books = {}
		for parts in (1, 3):
			doc = self.make_collection()
			for title in ("案例集-关键技术-渝中", "案例集-关键技术-万州", "案例集-<b>转化</b>-渝中"):
				doc.append("cases", {"application": self.apps[title].name})
			doc.save()
			with patch.object(casebook, "part_count", return_value=parts):
				pdf = casebook.generate(doc)
			doc.reload()
			books[parts] = ([r.start_page for r in doc.cases], doc.page_count, od.pdf_pages(pdf))
		one, three = books[1], books[3]
		self.assertEqual(three[0], one[0])
		self.assertEqual(three[1], one[1])
		self.assertEqual(len(set(three[0])), 3)  # three chapters, three start pages
		# the same text on every page but the cover's date line
		self.assertEqual(three[2][1:], one[2][1:])

	def test_split_chapters_keeps_the_order_and_balances_the_text(self):
		chapters = [
			{"sections": [{"paragraphs": ["字" * size]}], "indicators": []}
			for size in (9000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000)
		]
		groups = casebook.split_chapters(chapters, 2)
		self.assertEqual([c for g in groups for c in g], chapters)  # in order, none lost or repeated
		self.assertEqual([len(g) for g in groups], [3, 7])  # 12,500 and 10,500 of 23,000
		self.assertEqual(len(casebook.split_chapters(chapters, 4)), 4)
		self.assertEqual(casebook.split_chapters(chapters[:1], 3), [chapters[:1]])

	def test_generation_is_queued_on_long_queue(self):
		doc = self.make_collection()
		doc.generate()
		doc.reload()
		self.assertEqual(doc.status, "Queued")
		self.assertTrue(doc.cases)
		with self.assertRaises(casebook.CasebookError):
			doc.generate()

	def test_background_job_marks_generated(self):
		doc = self.make_collection()
		doc.append("cases", {"application": self.apps["案例集-关键技术-万州"].name})
		doc.save()
		result = doc.generate()  # as the form's button: a Case Export Job, run as the RQ worker runs it
		service.run(result["job"])
		doc.reload()
		self.assertEqual(doc.status, "Generated")
		self.assertEqual(doc.cases[0].start_page, 1)

	def test_rejects_case_of_another_round(self):
		doc = frappe.get_doc({"doctype": "Case Collection", "round": od.ROUND, "title": "x"})
		doc.append("cases", {"application": self.not_selected.name})
		frappe.db.set_value("Case Application", self.not_selected.name, "round", None, update_modified=False)
		try:
			with self.assertRaises(casebook.CasebookError):
				doc.insert()
		finally:
			frappe.db.set_value(
				"Case Application", self.not_selected.name, "round", od.ROUND, update_modified=False
			)
