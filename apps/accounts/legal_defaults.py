# ruff: noqa: E501  (legal prose: one numbered point a line)
"""First published versions of the privacy policy and the terms; the product owner edits them in the admin."""

PRIVACY_RU = """Политика конфиденциальности Спутника (версия 1)

1. Что мы храним: ваш Telegram ID, имя и имя пользователя, язык, переписку с ботом, факты, которые вы рассказали о себе, оценки ответов и сведения об оплатах.
2. Зачем: чтобы бот отвечал, помнил вас и становился лучше; чтобы принимать оплату.
3. Как защищаем: тексты сообщений и воспоминания хранятся в зашифрованном виде; доступ у ограниченного круга сотрудников.
4. Аналитика: мы считаем шаги без текстов сообщений и с псевдонимным идентификатором.
5. Ваши права: посмотреть, что бот помнит (/memory), удалить воспоминания, выгрузить или удалить свои данные (/privacy).
6. Сведения о здоровье бот запоминает только с вашего разрешения.
7. Данные обрабатываются в соответствии с 152-ФЗ «О персональных данных»."""

PRIVACY_EN = """Sputnik privacy policy (version 1)

1. What we keep: your Telegram ID, name and username, language, your conversations with the bot, facts you told about yourself, ratings and payment records.
2. Why: so the bot can answer, remember you and improve; to take payments.
3. How we protect it: message texts and memories are stored encrypted; only a few staff members have access.
4. Analytics: we count steps without message texts and with a pseudonymous id.
5. Your rights: see what the bot remembers (/memory), delete memories, export or delete your data (/privacy).
6. Health details are remembered only with your permission.
7. Data is processed under Russian law 152-FZ on personal data and the GDPR where it applies."""

TERMS_RU = """Условия использования Спутника (версия 1)

1. Спутник — собеседник на основе искусственного интеллекта. Его ответы создаются моделью и могут быть неточными.
2. Спутник не врач и не психолог, не оказывает медицинской или психологической помощи и не заменяет специалиста. В кризисной ситуации звоните 112 или на телефон доверия 8-800-2000-122.
3. Разговоры 18+ доступны только совершеннолетним после подтверждения возраста и с подпиской PRO.
4. Нельзя использовать бота для незаконных действий, угроз, травли и материалов с участием несовершеннолетних.
5. Бесплатный доступ ограничен лимитами; подписка PRO оплачивается по условиям публичной оферты."""

TERMS_EN = """Sputnik terms of use (version 1)

1. Sputnik is an AI companion. Its replies are produced by a model and may be inaccurate.
2. Sputnik is not a doctor or a psychologist, gives no medical or psychological help and does not replace a professional. In a crisis call 112 or your local helpline.
3. 18+ conversations are for adults only, after age confirmation and with a PRO subscription.
4. Do not use the bot for anything unlawful, for threats or harassment, or for any content involving minors.
5. Free access has limits; PRO is paid under the public offer."""

OFFER_RU = """Публичная оферта на подписку Спутник PRO (версия 1)

1. Исполнитель предоставляет доступ к функциям Спутник PRO на срок выбранного тарифа: больше сообщений и фото в день, PRO-персонажи, разговоры 18+ после подтверждения возраста.
2. Стоимость и срок указаны в описании тарифа перед оплатой. Оплата принимается через ЮKassa; чек направляется по 54-ФЗ.
3. Подписка продлевается автоматически в конце срока, списание производится с сохранённого способа оплаты. Автопродление отключается командой /subscription в любой момент; доступ сохраняется до конца оплаченного срока.
4. Если продление не удалось, доступ сохраняется в течение льготного периода, после чего подписка переходит на бесплатный тариф.
5. Возврат средств производится по обращению через /feedback в соответствии с законом «О защите прав потребителей».
6. Оплачивая подписку, вы принимаете условия этой оферты."""

OFFER_EN = """Sputnik PRO subscription public offer (version 1)

1. The provider gives access to Sputnik PRO for the period of the chosen plan: more messages and photos a day, PRO personas, 18+ conversations after age confirmation.
2. The price and period are shown in the plan's description before payment. Payments are taken through YooKassa; a receipt is issued under Russian law 54-FZ.
3. The subscription renews automatically at the end of the period by charging the saved payment method. Turn auto-renewal off with /subscription at any time; access lasts to the end of the paid period.
4. If a renewal fails, access continues for a grace period, after which the subscription moves to the free tier.
5. Refunds are made on request through /feedback under Russian consumer-protection law.
6. By paying you accept this offer."""
