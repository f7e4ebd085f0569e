

def test_end_tags_html_lets_a_page_leave_out_do_not_count_as_nesting():
    from hcpcs_extract.inputs import html_depth

    rows = "<table>" + "<tr><td>label<td>value" * 500 + "</table>"
    paragraphs = "<div>" + "<p>text" * 300 + "</div>"
    items = "<ul>" + "<li>item" * 400 + "</ul>"

    assert (html_depth(rows), html_depth(paragraphs), html_depth(items)) == (3, 2, 2)
    assert html_depth("<b>" * 300) == 300
