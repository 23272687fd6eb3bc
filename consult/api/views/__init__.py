"""The API's endpoints, thin: each fetches through consult.opendata.public (or
writes through the same services and limits as the web pages) and answers
with its shape from consult.api.serializers.

- `consultations`: the index, consultations, their versions, departments, topics
- `comments`: comments, posting one, voting
- `stances`: the counts, and taking a stance
- `report`: official responses and the published report
- `form`: the response form's questions, counts and published responses, and a
  person's own response (`form_input` reads what is sent)
- `tokens`: the account's token pages, and who a token belongs to (/me/)
- `shared`: fetching a public consultation, parsing query values, the writer
"""
