"""The staff's profile pages outside the admin (issue 6): one small module per page, tab or
action. Pages read selectors; actions call services and redirect back to the page."""
