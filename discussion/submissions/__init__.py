"""Responses to a consultation's response form: answered on the website,
or entered by staff from a letter, an email, a call or a meeting."""
