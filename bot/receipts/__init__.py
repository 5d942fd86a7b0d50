"""The declarant's receipt of one declaration: signed links (``links``), the
layout shared by the page, the PDF and the admin download (``layout``), and the
PDF itself (``pdf``)."""
