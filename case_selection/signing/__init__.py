"""Electronic seals for the co-signed forms (附件1, 附件2): pure Python, no Frappe site needed.

- `authority`: a small CA (root, seal certificates, CRLs) and the PEM / PKCS#12 formats around it;
- `stamp`: the seal's picture (a red round seal drawn with a Noto CJK font);
- `pdf`: visible PAdES signatures appended as incremental updates, and their validation (pyHanko).

Nothing here reaches the network.
"""
