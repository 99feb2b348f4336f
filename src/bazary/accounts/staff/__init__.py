"""The staff user management API (``auth/users/``): see docs/accounts.md, "Staff: managing users".

- :mod:`.permissions`: who may use it (staff with ``view_user`` / ``change_user``) and the privilege rules;
- :mod:`.queries`: the list, detail and stats querysets (a fixed number of queries);
- :mod:`.actions`: deactivate, reactivate, unlock... on one user or many, each written to the activity log;
- :mod:`.serializers`, :mod:`.filters`, :mod:`.views`, :mod:`.urls`.
"""
